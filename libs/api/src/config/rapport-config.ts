import {
  type Channel,
  type ClosenessConfig,
  type IdentityKind,
  publisherScopeFrom,
  type IdentityPolicy,
  parseClosenessConfig,
  parseIdentityPolicy,
} from '@rapport/domain';
import { type PrivacySettings, privacySettingsFrom } from '@rapport/privacy';
import { type OidcSettings, oidcSettingsFrom } from '../access/oidc-settings';

/** Everything the platform reads from its environment, with the embedded defaults. */
export interface RapportConfig {
  /** `sqlite:./data/rapport.db` (default), later `postgres://…`, `esdb://…`. */
  readonly eventStoreUrl: string;
  /** `memory` (default), later `redis://…`. */
  readonly readModelsUrl: string;
  /** `inproc` (default), later `kafka://host:9092,…`. */
  readonly busUrl: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Largest number of events in one `POST /v1/touchpoints` batch. */
  readonly maxBatchSize: number;
  /** Largest request body, in bytes. */
  readonly maxBodyBytes: number;
  /** Region for phone numbers written without a country code (ISO 3166, e.g. `DE`). */
  readonly defaultPhoneRegion?: string;
  /** Closeness weights and half-life: `RAPPORT_CLOSENESS` (JSON overrides); defaults when unset. */
  readonly closeness?: ClosenessConfig;
  /** Identity rules (auto-merge kinds, priority, limits per kind, blocked values): `RAPPORT_IDENTITY_POLICY` (JSON). */
  readonly identityPolicy?: IdentityPolicy;
  /** The OpenID issuer staff tokens come from (`RAPPORT_OIDC_*`); staff routes need it. */
  readonly oidc?: OidcSettings;
  /** How long audit entries are kept, in days (`RAPPORT_AUDIT_RETENTION_DAYS`). */
  readonly auditRetentionDays: number;
  /**
   * Per channel, the identity kinds whose `verified` flag is believed on that channel's Kafka
   * topic (`RAPPORT_KAFKA_VERIFIED_KINDS`, JSON such as `{"email":["email"]}`); none by default.
   */
  readonly kafkaVerifiedKinds: Readonly<Partial<Record<Channel, readonly IdentityKind[]>>>;
  /** Requests per principal per minute, across replicas (`RAPPORT_RATE_LIMIT`). */
  readonly rateLimitPerMinute: number;
  /**
   * How personal data is protected (`RAPPORT_MASTER_KEY`, `RAPPORT_IDENTITY_PEPPER`,
   * `RAPPORT_SUBJECT_KEYS`), or `off` (`RAPPORT_PRIVACY=off`: plaintext, plain keys). A
   * service that touches the log refuses to start with neither.
   */
  readonly privacy?: PrivacySettings | 'off';
  /**
   * How many identity graphs time travel keeps, one per 128 identity decisions, the most
   * recently used (`RAPPORT_TIME_TRAVEL_SNAPSHOTS`, default 64); others are folded again from the log.
   */
  readonly timeTravelSnapshots?: number;
  /**
   * Where the read models are in Redis, time travel reads the graph of then from a history
   * kept there; how many records it keeps in process, the most recently used
   * (`RAPPORT_TIME_TRAVEL_RECORDS`, default 10,000).
   */
  readonly timeTravelRecords?: number;
}

export const DEFAULT_CONFIG: RapportConfig = {
  eventStoreUrl: 'sqlite:./data/rapport.db',
  readModelsUrl: 'memory',
  busUrl: 'inproc',
  host: '127.0.0.1',
  port: 3000,
  maxBatchSize: 500,
  maxBodyBytes: 5 * 1024 * 1024,
  auditRetentionDays: 400,
  rateLimitPerMinute: 6000,
  kafkaVerifiedKinds: {},
  timeTravelSnapshots: 64,
  timeTravelRecords: 10_000,
};

/** Reads `RAPPORT_*` variables; a malformed value is an error that names the variable. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<RapportConfig> = {},
): RapportConfig {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`${name}=${raw}: expected a whole number from ${min} to ${max}`);
    }
    return value;
  };
  const region = env.RAPPORT_DEFAULT_PHONE_REGION?.trim().toUpperCase();
  if (region && !/^[A-Z]{2}$/.test(region)) {
    throw new Error(
      `RAPPORT_DEFAULT_PHONE_REGION=${region}: expected a two-letter region such as DE or US`,
    );
  }
  return {
    eventStoreUrl: env.RAPPORT_EVENT_STORE || DEFAULT_CONFIG.eventStoreUrl,
    readModelsUrl: env.RAPPORT_READ_MODELS || DEFAULT_CONFIG.readModelsUrl,
    busUrl: env.RAPPORT_BUS || DEFAULT_CONFIG.busUrl,
    host: env.RAPPORT_HOST || DEFAULT_CONFIG.host,
    port: int('RAPPORT_PORT', DEFAULT_CONFIG.port, 0, 65535),
    maxBatchSize: int('RAPPORT_MAX_BATCH', DEFAULT_CONFIG.maxBatchSize, 1, 10000),
    maxBodyBytes: int(
      'RAPPORT_MAX_BODY_BYTES',
      DEFAULT_CONFIG.maxBodyBytes,
      1024,
      256 * 1024 * 1024,
    ),
    auditRetentionDays: int(
      'RAPPORT_AUDIT_RETENTION_DAYS',
      DEFAULT_CONFIG.auditRetentionDays,
      1,
      3650,
    ),
    kafkaVerifiedKinds: env.RAPPORT_KAFKA_VERIFIED_KINDS
      ? kafkaVerifiedKindsFrom(env.RAPPORT_KAFKA_VERIFIED_KINDS)
      : DEFAULT_CONFIG.kafkaVerifiedKinds,
    rateLimitPerMinute: int('RAPPORT_RATE_LIMIT', DEFAULT_CONFIG.rateLimitPerMinute, 1, 1_000_000),
    timeTravelSnapshots: int(
      'RAPPORT_TIME_TRAVEL_SNAPSHOTS',
      DEFAULT_CONFIG.timeTravelSnapshots!,
      1,
      1_000_000,
    ),
    timeTravelRecords: int(
      'RAPPORT_TIME_TRAVEL_RECORDS',
      DEFAULT_CONFIG.timeTravelRecords!,
      1,
      10_000_000,
    ),
    ...(region ? { defaultPhoneRegion: region } : {}),
    ...(env.RAPPORT_OIDC_ISSUER ? { oidc: oidcSettingsFrom(env) } : {}),
    ...privacyOf(env),
    ...(env.RAPPORT_CLOSENESS ? { closeness: parseClosenessConfig(env.RAPPORT_CLOSENESS) } : {}),
    ...(env.RAPPORT_IDENTITY_POLICY
      ? { identityPolicy: parseIdentityPolicy(env.RAPPORT_IDENTITY_POLICY) }
      : {}),
    ...overrides,
  };
}

function privacyOf(env: NodeJS.ProcessEnv): { privacy?: PrivacySettings | 'off' } {
  const privacy = privacySettingsFrom(env);
  return privacy === undefined ? {} : { privacy };
}

function kafkaVerifiedKindsFrom(raw: string): Partial<Record<Channel, IdentityKind[]>> {
  const fail = (why: string) => new Error(`RAPPORT_KAFKA_VERIFIED_KINDS: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw fail('expected JSON such as {"email":["email"],"chat":["email"]}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw fail('expected an object of channel → identity kinds');
  }
  const trust: Partial<Record<Channel, IdentityKind[]>> = {};
  for (const [channel, kinds] of Object.entries(parsed)) {
    if (!Array.isArray(kinds) || !kinds.every((kind) => typeof kind === 'string')) {
      throw fail(`${channel}: expected a list of identity kinds`);
    }
    const scope = publisherScopeFrom({
      channels: [channel],
      sourcePatterns: ['*'],
      verifiedKinds: kinds,
    });
    if (!scope.ok) throw fail(scope.errors.map((e) => e.message).join('; '));
    trust[channel as Channel] = [...scope.value.verifiedKinds];
  }
  return trust;
}
