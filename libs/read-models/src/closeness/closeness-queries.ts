import {
  closenessReport,
  type ClosenessReport,
  type ClosenessReportOptions,
  scoreOfRankKey,
} from '@rapport/domain';
import { type ClosenessReadModel } from './closeness-read-model';

/**
 * A ranking was asked for as of a time before contacts the model already holds. The sorted
 * set reflects the whole log, so it can rank only at or after the latest contact.
 */
export class AsOfBeforeLatestContactError extends Error {
  override readonly name = 'AsOfBeforeLatestContactError';
  constructor(
    readonly asOf: string,
    readonly latestContact: string,
  ) {
    super(
      `asOf ${asOf} is before the latest contact the ranking holds (${latestContact}); rankings can be asked for at or after it (a single customer's closeness can be asked for as of any time)`,
    );
  }
}

export interface ClosestCustomer {
  readonly rank: number;
  readonly customerId: string;
  readonly score: number;
  readonly lastContactAt: string | null;
}

export interface AtRiskCustomer {
  readonly customerId: string;
  /** The score at `asOf`. */
  readonly score: number;
  /** The score at the start of the window (`asOf − window`). */
  readonly scoreAtWindowStart: number;
  /** How much it fell over the window. */
  readonly drop: number;
  readonly lastContactAt: string;
}

/** The closeness questions the API answers, over any `ClosenessReadModel`. */
export class ClosenessQueries {
  constructor(private readonly model: ClosenessReadModel) {}

  /**
   * Score, components, top contributors and daily history as of `asOfMs`; null: no contact
   * ever. A merged id answers with its survivor's (named in `customerId`, the id asked for
   * in `redirectedFrom`).
   */
  async customer(
    customerId: string,
    asOfMs: number,
    options: ClosenessReportOptions = {},
  ): Promise<(ClosenessReport & { redirectedFrom?: string }) | null> {
    const found = await this.model.customer(customerId);
    if (!found) return null;
    const report = closenessReport(
      found.customerId,
      found.facts,
      asOfMs,
      this.model.config,
      options,
    );
    return found.customerId === customerId ? report : { ...report, redirectedFrom: customerId };
  }

  /**
   * The moment a ranking answers for: `asOfMs` when given (it must not be before the latest
   * contact), otherwise `nowMs`, or the latest contact when that is later (a touchpoint may
   * be dated up to 24 h ahead).
   */
  async rankingMoment(asOfMs: number | undefined, nowMs: number): Promise<number> {
    const latest = await this.model.latestContactMs();
    if (asOfMs === undefined) return latest === null ? nowMs : Math.max(nowMs, latest);
    if (latest !== null && asOfMs < latest)
      throw new AsOfBeforeLatestContactError(iso(asOfMs), iso(latest));
    return asOfMs;
  }

  /** The `limit` closest customers at `asOfMs`: one sorted-set range, O(log n + limit). */
  async top(limit: number, asOfMs: number): Promise<ClosestCustomer[]> {
    const ranked = await this.model.top(limit);
    return ranked.map((r, i) => ({
      rank: i + 1,
      customerId: r.customerId,
      score: scoreOfRankKey(r.rankKey, asOfMs, this.model.config),
      lastContactAt: r.lastContactMs === null ? null : iso(r.lastContactMs),
    }));
  }

  /**
   * Customers who were close and have gone quiet: no contact in the `windowMs` before
   * `asOfMs`, the closest at the window's start first. With no contact in the window their
   * score only decayed, so the order at the window's start is the order of their ranking keys.
   */
  async atRisk(windowMs: number, limit: number, asOfMs: number): Promise<AtRiskCustomer[]> {
    const start = asOfMs - windowMs;
    const quiet = await this.model.quiet(start, limit);
    return quiet.map((r) => {
      const before = scoreOfRankKey(r.rankKey, start, this.model.config);
      const score = scoreOfRankKey(r.rankKey, asOfMs, this.model.config);
      return {
        customerId: r.customerId,
        score,
        scoreAtWindowStart: before,
        drop: before - score,
        lastContactAt: iso(r.lastContactMs as number),
      };
    });
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
