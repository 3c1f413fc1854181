import { type Validated, invalid, valid } from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import { IdentityGraphHistory, type IdentityGraphHistoryOptions } from './identity-graph-history';
import { type LogAsOf } from './log-as-of';
import { type RedisGraphHistory } from './redis-graph-history';
import { type AsOfRequest, parseAsOf } from './parse-as-of';
import { type LogPoint, LogTimeIndex, positionAtTime, recordedAtOf } from './position-at-time';

export interface TimeTravelOptions extends IdentityGraphHistoryOptions {
  /** The clock in ms (default `Date.now`): a later `asOf` time is refused. */
  readonly now?: () => number;
  /**
   * Where the graph of then is read around the customers asked about, when given (the
   * read models are in Redis): nothing of the graph is then kept in process but an LRU.
   * Otherwise `graphs` folds whole graphs in process.
   */
  readonly history?: RedisGraphHistory;
}

export interface ResolveAsOfOptions {
  /**
   * How far the read model that answers has applied the log (its checkpoint): a later
   * position is answered as of this one, since the model cannot show what it has not
   * applied. The answer's `position` says which was used.
   */
  readonly upTo?: number;
}

/**
 * `?asOf=` for any query: turns a log position or a time into the log as it was then — the
 * position and the identity graph at it. A time means every event the log had recorded by
 * then, by the log's own recorded time
 * (docs/decisions/0018-time-travel-by-recorded-time.md). Refused (a field error on
 * `asOf`): malformed, a time in the future, a position past the log's head. Cost: one head
 * read, a binary search for a time (⌈log₂ head⌉ + 1 one-event reads) and
 * `IdentityGraphHistory.graphAt` (bounded by the identity decisions); where positions are
 * not counters, a `LogTimeIndex` this instance keeps (see `positionAtTime`).
 */
export class TimeTravel {
  readonly graphs: IdentityGraphHistory;
  readonly history: RedisGraphHistory | undefined;
  private readonly now: () => number;
  /** Used only when the store's positions are not counters. */
  private readonly times: LogTimeIndex;

  constructor(
    private readonly store: EventStore,
    options: TimeTravelOptions = {},
  ) {
    this.graphs = new IdentityGraphHistory(store, options);
    this.history = options.history;
    this.now = options.now ?? Date.now;
    this.times = new LogTimeIndex(store);
  }

  /** Closes the history's own connection, if it has one. */
  async close(): Promise<void> {
    await this.history?.close();
  }

  /** Parses `raw` (the `asOf` parameter) and answers the log as it was then. */
  async resolve(raw: string, options: ResolveAsOfOptions = {}): Promise<Validated<LogAsOf>> {
    const request = parseAsOf(raw);
    if (!request.ok) return request;
    const point = await this.pointOf(request.value);
    if (!point.ok) return point;
    const { upTo } = options;
    const capped =
      upTo !== undefined && upTo < point.value.position
        ? { position: upTo, recordedAt: await recordedAtOf(this.store, upTo, this.times) }
        : point.value;
    const { history } = this;
    if (history) {
      const revision = await history.revisionAt(capped.position);
      return valid({
        ...capped,
        graphAround: (customerIds, identityKeys) =>
          history.graphAround(revision, customerIds, identityKeys),
      });
    }
    const graph = Promise.resolve(await this.graphs.graphAt(capped.position));
    return valid({ ...capped, graphAround: () => graph });
  }

  /** The log position a request names, checked against the log's head and the clock. */
  async pointOf(request: AsOfRequest): Promise<Validated<LogPoint>> {
    const head = await this.store.headPosition();
    if ('position' in request) {
      if (request.position > head)
        return invalid({
          path: 'asOf',
          message: `asOf position ${request.position} is past the log's head ${head}`,
        });
      return valid({
        position: request.position,
        recordedAt: await recordedAtOf(this.store, request.position, this.times),
      });
    }
    const now = this.now();
    if (request.timeMs > now)
      return invalid({
        path: 'asOf',
        message: `asOf ${request.time} is in the future (it is ${new Date(now).toISOString()}); time travel answers about the past — leave asOf out for now`,
      });
    return valid(await positionAtTime(this.store, request.timeMs, head, this.times));
  }
}

export {
  openRedisGraphHistory,
  RedisGraphHistory,
  type RedisGraphHistoryOptions,
} from './redis-graph-history';
