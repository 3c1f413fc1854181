import { DAY_MS, type FieldError } from '@rapport/domain';
import { RFC3339_DATE_TIME } from '@rapport/read-models';
import { ProblemException } from '../http/problem';

/** `30d`, `12h`, or ISO 8601 `P30D`, `PT12H`, `P2DT12H`. */
const SHORT_DURATION = /^(\d{1,5})(d|h)$/i;
const ISO_DURATION = /^P(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?)?$/i;

/** Collects field errors while parsing query parameters; `done()` throws them as one 400. */
export class ClosenessParams {
  private readonly errors: FieldError[] = [];

  constructor(
    private readonly params: Record<string, unknown>,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(params)) {
      if (!allowed.includes(key))
        this.errors.push({
          path: key,
          message: `not a parameter of this endpoint; allowed: ${allowed.join(', ')}`,
        });
      else if (typeof params[key] !== 'string')
        this.errors.push({ path: key, message: 'given more than once' });
    }
  }

  /** `asOf` when it names a log position (digits), for time travel; undefined otherwise. */
  asOfPosition(): string | undefined {
    const raw = this.params.asOf;
    return typeof raw === 'string' && /^\d+$/.test(raw) ? raw : undefined;
  }

  /** `asOf` in ms, or undefined when absent. */
  asOf(): number | undefined {
    const raw = this.string('asOf');
    if (raw === undefined) return undefined;
    if (/^\d+$/.test(raw)) {
      this.errors.push({
        path: 'asOf',
        message:
          'a ranking is computed for a time (an RFC 3339 time with an offset), not a log position',
      });
      return undefined;
    }
    const ms = Date.parse(raw);
    if (!RFC3339_DATE_TIME.test(raw) || !Number.isFinite(ms)) {
      this.errors.push({
        path: 'asOf',
        message: 'expected an RFC 3339 time with an offset, e.g. 2026-06-01T12:00:00Z',
      });
      return undefined;
    }
    return ms;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      this.errors.push({ path: name, message: `expected a whole number from ${min} to ${max}` });
      return fallback;
    }
    return value;
  }

  /** A duration (`30d`, `12h`, `P30D`, `PT12H`) in ms, from 1 hour to 10 years. */
  window(name: string, fallbackMs: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallbackMs;
    const short = SHORT_DURATION.exec(raw);
    const iso = short ? null : ISO_DURATION.exec(raw);
    const ms = short
      ? Number(short[1]) * (short[2].toLowerCase() === 'd' ? DAY_MS : 3_600_000)
      : iso && (iso[1] || iso[2])
        ? Number(iso[1] ?? 0) * DAY_MS + Number(iso[2] ?? 0) * 3_600_000
        : NaN;
    if (!Number.isFinite(ms) || ms < 3_600_000 || ms > 3650 * DAY_MS) {
      this.errors.push({
        path: name,
        message: 'expected a duration from 1 hour to 3650 days: 30d, 12h, P30D or PT12H',
      });
      return fallbackMs;
    }
    return ms;
  }

  /** Throws every error found as one problem (400). */
  done(): void {
    if (this.errors.length > 0)
      throw new ProblemException(
        400,
        `bad query: ${this.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
        this.errors,
      );
  }

  private string(name: string): string | undefined {
    const raw = this.params[name];
    return typeof raw === 'string' ? raw : undefined;
  }
}
