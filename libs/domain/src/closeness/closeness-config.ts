import { CHANNELS, type Channel, type Direction } from '../channels';

/** Every weight of the closeness score, and its half-life (the formula: docs/closeness.md). */
export interface ClosenessConfig {
  /** A contribution counts half after this many days, a quarter after twice as many. */
  readonly halfLifeDays: number;
  /**
   * The forward-decay landmark T₀ (ISO 8601). Ranking keys are Σ wᵢ·2^((tᵢ−T₀)/h); moving T₀
   * forward rescales every key by the same factor and keeps the order.
   */
  readonly landmark: string;
  /** The relationship strength (decayed weight) that scores 50; saturates towards 100. */
  readonly halfScoreStrength: number;
  /** Intimacy of each channel: in person > phone > chat > e-mail > social. */
  readonly channelWeights: Readonly<Record<Channel, number>>;
  /** The customer's own initiative (inbound) above outbound broadcasts. */
  readonly directionWeights: Readonly<Record<Direction, number>>;
  /** Multiplies a touchpoint that is part of a two-way conversation. */
  readonly twoWayMultiplier: number;
  /** Channels on which every touchpoint is a two-way conversation by nature. */
  readonly twoWayChannels: readonly Channel[];
  /** Per unit of positive sentiment (0…1) on a touchpoint. */
  readonly sentimentWeight: number;
  /** Per unit of positive survey answer (NPS 10 or CSAT 5 = 1). */
  readonly surveyWeight: number;
  /** Per channel the customer takes part on, decayed from its last use there. */
  readonly breadthWeight: number;
  readonly coCreationWeights: Readonly<{ submitted: number; voted: number; commented: number }>;
}

export const DEFAULT_CLOSENESS_CONFIG: ClosenessConfig = {
  halfLifeDays: 30,
  landmark: '2026-01-01T00:00:00.000Z',
  halfScoreStrength: 10,
  channelWeights: {
    in_person: 5,
    phone: 3,
    chat: 2,
    email: 1,
    social: 0.5,
    survey: 0.5,
    web: 0.25,
  },
  directionWeights: { inbound: 1, outbound: 0.25 },
  twoWayMultiplier: 1.5,
  twoWayChannels: ['in_person', 'phone'],
  sentimentWeight: 2,
  surveyWeight: 3,
  breadthWeight: 1,
  coCreationWeights: { submitted: 3, voted: 1, commented: 1.5 },
};

export type ClosenessConfigOverrides = Partial<
  Omit<ClosenessConfig, 'channelWeights' | 'directionWeights' | 'coCreationWeights'>
> & {
  readonly channelWeights?: Partial<Record<Channel, number>>;
  readonly directionWeights?: Partial<Record<Direction, number>>;
  readonly coCreationWeights?: Partial<ClosenessConfig['coCreationWeights']>;
};

/** The defaults with `overrides` on top; throws a `RangeError` naming the first bad setting. */
export function closenessConfig(overrides: ClosenessConfigOverrides = {}): ClosenessConfig {
  const d = DEFAULT_CLOSENESS_CONFIG;
  const config: ClosenessConfig = {
    ...d,
    ...overrides,
    channelWeights: { ...d.channelWeights, ...overrides.channelWeights },
    directionWeights: { ...d.directionWeights, ...overrides.directionWeights },
    coCreationWeights: { ...d.coCreationWeights, ...overrides.coCreationWeights },
  };
  const positive = (path: string, value: unknown) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new RangeError(`closeness.${path}: expected a positive number, got ${String(value)}`);
  };
  const nonNegative = (path: string, value: unknown) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new RangeError(`closeness.${path}: expected a number ≥ 0, got ${String(value)}`);
  };
  positive('halfLifeDays', config.halfLifeDays);
  positive('halfScoreStrength', config.halfScoreStrength);
  if (typeof config.landmark !== 'string' || !Number.isFinite(Date.parse(config.landmark)))
    throw new RangeError(`closeness.landmark: expected an ISO 8601 time, got ${config.landmark}`);
  for (const [k, v] of Object.entries(config.channelWeights)) nonNegative(`channelWeights.${k}`, v);
  for (const [k, v] of Object.entries(config.directionWeights))
    nonNegative(`directionWeights.${k}`, v);
  for (const [k, v] of Object.entries(config.coCreationWeights))
    nonNegative(`coCreationWeights.${k}`, v);
  if (typeof config.twoWayMultiplier !== 'number' || !(config.twoWayMultiplier >= 1))
    throw new RangeError(`closeness.twoWayMultiplier: expected a number ≥ 1`);
  nonNegative('sentimentWeight', config.sentimentWeight);
  nonNegative('surveyWeight', config.surveyWeight);
  nonNegative('breadthWeight', config.breadthWeight);
  for (const channel of config.twoWayChannels)
    if (!CHANNELS.includes(channel))
      throw new RangeError(`closeness.twoWayChannels: ${String(channel)} is not a channel`);
  return config;
}

/** `RAPPORT_CLOSENESS`: JSON overrides of the defaults, e.g. `{"halfLifeDays":14}`. */
export function parseClosenessConfig(json: string | undefined): ClosenessConfig {
  if (json === undefined || json.trim() === '') return closenessConfig();
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new RangeError(`RAPPORT_CLOSENESS is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new RangeError('RAPPORT_CLOSENESS: expected a JSON object of overrides');
  return closenessConfig(parsed as ClosenessConfigOverrides);
}

export const DAY_MS = 86_400_000;

/** The half-life in milliseconds. */
export function halfLifeMs(config: ClosenessConfig): number {
  return config.halfLifeDays * DAY_MS;
}
