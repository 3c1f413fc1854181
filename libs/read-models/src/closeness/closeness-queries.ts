import {
  closenessRankKey,
  closenessReport,
  type ClosenessReport,
  type ClosenessReportOptions,
  closenessStateAsOf,
  isoTimeOf,
  scoreOfRankKey,
} from '@rapport/domain';
import {
  type ClosenessAsOf,
  type ClosenessReadModel,
  type RankedCustomer,
} from './closeness-read-model';

/**
 * A ranking was asked for as of a moment so far back that too many customers have been in
 * contact since: each of them would have to be folded again from its facts.
 */
export class PastRankingTooCostlyError extends Error {
  override readonly name = 'PastRankingTooCostlyError';
  constructor(
    readonly since: string,
    readonly max: number,
  ) {
    super(
      `more than ${max} customers have been in contact since ${since}; a ranking as of a moment that far back would fold each of them again — ask for a later asOf (or a shorter window)`,
    );
  }
}

/** Settings of the closeness queries. */
export interface ClosenessQueriesOptions {
  /**
   * At most how many customers a ranking as of a past moment folds again (those contacted
   * since it): the bound of its cost. Default 50,000.
   */
  readonly maxRefold?: number;
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

/**
 * The closeness questions the API answers, over any `ClosenessReadModel`. Rankings as of
 * now (or any moment at or after the latest contact) read the sorted set as it is: every
 * key is the customer's key at that moment. As of an earlier moment T, the customers not
 * contacted since T still have their key of T — the at-risk index finds the best of them
 * (`quiet(T)`) — and only the customers contacted since T are folded again from their facts
 * up to T: O(log n + limit + c·f) for c customers contacted since T with f facts each, c
 * bounded by `maxRefold`.
 */
export class ClosenessQueries {
  private readonly maxRefold: number;

  constructor(
    private readonly model: ClosenessReadModel,
    options: ClosenessQueriesOptions = {},
  ) {
    this.maxRefold = options.maxRefold ?? 50_000;
  }

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
   * A customer's closeness as the log up to a position had it (`asOf` from time travel):
   * the identity graph of then, the facts recorded by then, scored at the time the log
   * recorded that position (or `nowMs` at position 0). Null: no contact on record by then.
   */
  async customerAsOfLog(
    customerId: string,
    asOf: ClosenessAsOf & { readonly recordedAt: string | null },
    nowMs: number,
    options: ClosenessReportOptions = {},
  ): Promise<(ClosenessReport & { redirectedFrom?: string }) | null> {
    const found = await this.model.customerAsOf(customerId, asOf);
    if (!found) return null;
    const moment = asOf.recordedAt === null ? nowMs : Date.parse(asOf.recordedAt);
    const report = closenessReport(
      found.customerId,
      found.facts,
      // A touchpoint may be dated up to 24 h after it was recorded: every fact then counts.
      found.facts.reduce((latest, f) => Math.max(latest, f.occurredAtMs), moment),
      this.model.config,
      options,
    );
    return found.customerId === customerId ? report : { ...report, redirectedFrom: customerId };
  }

  /**
   * The moment a ranking answers for: `asOfMs` when given, otherwise `nowMs`, or the latest
   * contact when that is later (a touchpoint may be dated up to 24 h ahead).
   */
  async rankingMoment(asOfMs: number | undefined, nowMs: number): Promise<number> {
    if (asOfMs !== undefined) return asOfMs;
    const latest = await this.model.latestContactMs();
    return latest === null ? nowMs : Math.max(nowMs, latest);
  }

  /** The `limit` closest customers at `asOfMs`: one sorted-set range, O(log n + limit), as of now. */
  async top(limit: number, asOfMs: number): Promise<ClosestCustomer[]> {
    const { ranked: now, latestContactMs: latest } = await this.topWithLatest(limit);
    const ranked = isBefore(asOfMs, latest) ? await this.rankedAsOf(asOfMs, asOfMs, limit) : now;
    return this.scored(ranked, asOfMs);
  }

  /**
   * The `limit` closest customers as of the moment `rankingMoment` names when no moment is
   * asked for (`nowMs`, or the latest contact when later), and that moment: what `top` answers
   * for it, from the one read that gives both the ranking and the latest contact.
   */
  async topNow(
    limit: number,
    nowMs: number,
  ): Promise<{ readonly asOfMs: number; readonly items: ClosestCustomer[] }> {
    const { ranked, latestContactMs: latest } = await this.topWithLatest(limit);
    const asOfMs = latest === null ? nowMs : Math.max(nowMs, latest);
    return { asOfMs, items: this.scored(ranked, asOfMs) };
  }

  /**
   * The sorted set as it is, with the latest contact, asked together (one command where the
   * model can): it serves any moment from the latest contact on; an earlier one is answered
   * by folding again.
   */
  private topWithLatest(
    limit: number,
  ): Promise<{ ranked: RankedCustomer[]; latestContactMs: number | null }> {
    return this.model.topWithLatest
      ? this.model.topWithLatest(limit)
      : Promise.all([this.model.latestContactMs(), this.model.top(limit)]).then(
          ([latestContactMs, ranked]) => ({ latestContactMs, ranked }),
        );
  }

  private scored(ranked: readonly RankedCustomer[], asOfMs: number): ClosestCustomer[] {
    return ranked.map((r, i) => ({
      rank: i + 1,
      customerId: r.customerId,
      score: scoreOfRankKey(r.rankKey, asOfMs, this.model.config),
      lastContactAt: r.lastContactMs === null ? null : isoTimeOf(r.lastContactMs),
    }));
  }

  /**
   * Customers who were close and have gone quiet: no contact in the `windowMs` before
   * `asOfMs`, the closest at the window's start first. With no contact in the window their
   * score only decayed, so the order at the window's start is the order of their ranking keys.
   */
  async atRisk(windowMs: number, limit: number, asOfMs: number): Promise<AtRiskCustomer[]> {
    const start = asOfMs - windowMs;
    const [latest, now] = await Promise.all([
      this.model.latestContactMs(),
      this.model.quiet(start, limit),
    ]);
    const quiet = isBefore(asOfMs, latest) ? await this.rankedAsOf(asOfMs, start, limit) : now;
    return quiet.map((r) => {
      const before = scoreOfRankKey(r.rankKey, start, this.model.config);
      const score = scoreOfRankKey(r.rankKey, asOfMs, this.model.config);
      return {
        customerId: r.customerId,
        score,
        scoreAtWindowStart: before,
        drop: before - score,
        lastContactAt: isoTimeOf(r.lastContactMs as number),
      };
    });
  }

  /**
   * The `limit` best customers as of `asOfMs` whose last contact by then was at or before
   * `lastContactAtMostMs`, by their ranking keys as of `asOfMs`.
   */
  private async rankedAsOf(
    asOfMs: number,
    lastContactAtMostMs: number,
    limit: number,
  ): Promise<RankedCustomer[]> {
    const [unchanged, contacted] = await Promise.all([
      this.model.quiet(lastContactAtMostMs, limit),
      this.model.contactedAfter(lastContactAtMostMs, this.maxRefold),
    ]);
    if (contacted === null)
      throw new PastRankingTooCostlyError(isoTimeOf(lastContactAtMostMs), this.maxRefold);
    const facts = await this.model.factsOf(contacted);
    const refolded: RankedCustomer[] = [];
    for (const customerId of contacted) {
      const state = closenessStateAsOf(
        customerId,
        facts.get(customerId) ?? [],
        asOfMs,
        this.model.config,
      );
      const last = state.lastContactMs;
      if (last === null || last > lastContactAtMostMs) continue;
      refolded.push({
        customerId,
        rankKey: closenessRankKey(state, this.model.config),
        lastContactMs: last,
      });
    }
    return [...unchanged, ...refolded].sort(inRankingOrder).slice(0, limit);
  }
}

/** True when the model holds contacts after `asOfMs`: the sorted set is ahead of it. */
function isBefore(asOfMs: number, latestContactMs: number | null): boolean {
  return latestContactMs !== null && asOfMs < latestContactMs;
}

/** Highest key first; ties by customer id descending, as the models rank. */
function inRankingOrder(a: RankedCustomer, b: RankedCustomer): number {
  if (a.rankKey !== b.rankKey) return a.rankKey > b.rankKey ? -1 : 1;
  return a.customerId === b.customerId ? 0 : a.customerId > b.customerId ? -1 : 1;
}
