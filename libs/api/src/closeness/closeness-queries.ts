import { DAY_MS, parseRfc3339Time } from '@rapport/domain';
import { IsOptional, ValidateBy } from 'class-validator';
import { IsWholeNumber, wholeNumber } from '../http/query-values';

/** `30d`, `12h`, or ISO 8601 `P30D`, `PT12H`, `P2DT12H`. */
const SHORT_DURATION = /^(\d{1,5})(d|h)$/i;
const ISO_DURATION = /^P(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?)?$/i;
const LOG_POSITION = /^\d+$/;
const MIN_WINDOW_MS = 3_600_000;
const MAX_WINDOW_MS = 3650 * DAY_MS;

/** A duration (`30d`, `12h`, `P30D`, `PT12H`) in ms; NaN when malformed. */
function durationMs(raw: string): number {
  const short = SHORT_DURATION.exec(raw);
  if (short) return Number(short[1]) * (short[2].toLowerCase() === 'd' ? DAY_MS : 3_600_000);
  const iso = ISO_DURATION.exec(raw);
  return iso && (iso[1] || iso[2])
    ? Number(iso[1] ?? 0) * DAY_MS + Number(iso[2] ?? 0) * 3_600_000
    : NaN;
}

/** An RFC 3339 time with an offset, in ms; NaN when malformed or not a calendar date. */
function momentMs(raw: string): number {
  const time = parseRfc3339Time(raw);
  return time.ok ? time.timeMs : NaN;
}

/** A duration from 1 hour to 10 years: `30d`, `12h`, `P30D` or `PT12H`. */
function IsWindow() {
  return ValidateBy({
    name: 'isWindow',
    validator: {
      validate: (value: unknown) => {
        const ms = typeof value === 'string' ? durationMs(value) : NaN;
        return ms >= MIN_WINDOW_MS && ms <= MAX_WINDOW_MS;
      },
      defaultMessage: () => 'expected a duration from 1 hour to 3650 days: 30d, 12h, P30D or PT12H',
    },
  });
}

/**
 * The moment to compute for: an RFC 3339 time with an offset; with `logPositions`, a log
 * position (digits) as well, for time travel (checked against the log afterwards).
 */
function IsMoment(options: { logPositions: boolean }) {
  return ValidateBy({
    name: 'isMoment',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        (LOG_POSITION.test(value) ? options.logPositions : Number.isFinite(momentMs(value))),
      defaultMessage: (args) =>
        typeof args?.value === 'string' && LOG_POSITION.test(args.value)
          ? 'a ranking is computed for a time (an RFC 3339 time with an offset), not a log position'
          : 'expected an RFC 3339 time with an offset, e.g. 2026-06-01T12:00:00Z',
    },
  });
}

/** `GET /v1/customers/:id/closeness`. */
export class CustomerClosenessQueryDto {
  @IsOptional()
  @IsMoment({ logPositions: true })
  asOf?: string;

  @IsOptional()
  @IsWholeNumber(1, 365)
  days?: string;
}

export interface CustomerClosenessQuery {
  /** `asOf` as a log position: time travel. */
  readonly logPosition?: string;
  /** `asOf` as a time, in ms. */
  readonly at?: number;
  readonly days: number;
}

export function toCustomerClosenessQuery(dto: CustomerClosenessQueryDto): CustomerClosenessQuery {
  const { asOf } = dto;
  return {
    ...(asOf === undefined
      ? {}
      : LOG_POSITION.test(asOf)
        ? { logPosition: asOf }
        : { at: momentMs(asOf) }),
    days: wholeNumber(dto.days, 30),
  };
}

/** `GET /v1/closeness/top`. */
export class TopClosenessQueryDto {
  @IsOptional()
  @IsWholeNumber(1, 1000)
  limit?: string;

  @IsOptional()
  @IsMoment({ logPositions: false })
  asOf?: string;
}

export interface RankingQuery {
  readonly limit: number;
  /** The moment, in ms; undefined for now. */
  readonly at?: number;
}

export function toRankingQuery(dto: TopClosenessQueryDto): RankingQuery {
  return {
    limit: wholeNumber(dto.limit, 20),
    ...(dto.asOf === undefined ? {} : { at: momentMs(dto.asOf) }),
  };
}

/** `GET /v1/closeness/at-risk`. */
export class AtRiskQueryDto extends TopClosenessQueryDto {
  @IsOptional()
  @IsWindow()
  window?: string;
}

export interface AtRiskQuery extends RankingQuery {
  readonly windowMs: number;
}

export function toAtRiskQuery(dto: AtRiskQueryDto): AtRiskQuery {
  return {
    ...toRankingQuery(dto),
    windowMs: dto.window === undefined ? 30 * DAY_MS : durationMs(dto.window),
  };
}
