import { type AllStreamResolvedEvent, type ReadPosition } from '@eventstore/db-client';
import {
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '../event-store';
import { DEFAULT_SUBSCRIPTION_BATCH_SIZE } from '../subscription/catch-up-subscription';
import { type EsdbSubscription } from './esdb-client';
import { readPositionAfter } from './esdb-mapping';

export interface EsdbReconnectOptions {
  /** First wait before resubscribing after a dropped subscription; doubles up to `maxDelayMs`. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RECONNECT: EsdbReconnectOptions = { initialDelayMs: 100, maxDelayMs: 5000 };

/** What an EventStoreDB catch-up subscription needs from its store. */
export interface EsdbSubscriptionSource {
  /** A `$all` subscription with the store's server-side filter, from `from` (as the client takes it). */
  subscribe(from: ReadPosition, highWaterMark: number): EsdbSubscription;
  /** The store's head: the position of its last event in `$all`, 0 when none. */
  headPosition(): Promise<number>;
  /** `$all` position of a received event (ours or not). */
  positionOf(resolved: AllStreamResolvedEvent): number;
  /** The event as the port returns it, or undefined when it is not one of the store's. */
  toRecorded(resolved: AllStreamResolvedEvent): RecordedEvent | undefined;
  readonly reconnect: EsdbReconnectOptions;
  log(line: string): void;
}

/** The handler failed: the subscription ends with its error, no retry. */
class HandlerFailure {
  constructor(readonly error: unknown) {}
}

/** The server ended the subscription without an error: resubscribe. */
export class SubscriptionEndedError extends Error {
  override readonly name = 'SubscriptionEndedError';
  constructor() {
    super('the server ended the $all subscription');
  }
}

const TRANSIENT_TYPES = new Set([
  'unavailable',
  'cancelled',
  'deadline-exceeded',
  'timeout',
  'not-leader',
]);
/** gRPC status codes worth a resubscribe: CANCELLED (by the server), DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL (RST_STREAM on a server restart), UNAVAILABLE. */
const TRANSIENT_GRPC_CODES = new Set([1, 4, 8, 13, 14]);
const TRANSIENT_NODE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Whether a failed read or subscription may succeed when tried again (a dropped connection, a leader change). */
export function isTransientEsdbError(error: unknown): boolean {
  if (error instanceof SubscriptionEndedError) return true;
  if (!(error instanceof Error)) return false;
  const { type, code } = error as { type?: unknown; code?: unknown };
  if (typeof type === 'string' && TRANSIENT_TYPES.has(type)) return true;
  if (typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code)) return true;
  return typeof code === 'string' && TRANSIENT_NODE_CODES.has(code);
}

/** Delay before the n-th consecutive resubscribe (n ≥ 1): exponential, capped, with ±20% jitter. */
export function reconnectDelay(attempt: number, options: EsdbReconnectOptions): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** A wake-up that is not lost when it comes before anyone waits. */
class Wakeup {
  private pending = false;
  private waiter: (() => void) | null = null;

  wake = () => {
    if (this.waiter) {
      const resolve = this.waiter;
      this.waiter = null;
      resolve();
    } else {
      this.pending = true;
    }
  };

  wait(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.waiter = resolve));
  }
}

/**
 * A catch-up subscription on EventStoreDB's own `$all` subscription, which replays from
 * the checkpoint and then follows live appends in one stream, filtered on the server.
 *
 * - Batches: it pulls what the client has buffered (paused mode) into batches of up to
 *   `batchSize`, and pulls the next batch only when the handler's promise has settled; the
 *   client's buffer (`highWaterMark`) fills up meanwhile and gRPC flow control holds the
 *   server back. That is the backpressure.
 * - Checkpoint: events at or before `after` are skipped (the server's treatment of a start
 *   position is not relied on); the checkpoint advances when a batch has been handled.
 * - Caught up: when the events up to the head seen at subscription time have been
 *   handled, or when the server says it has caught up (servers from 23.10 send
 *   "caught up"), whichever comes first; then again after each live batch that leaves
 *   nothing buffered (docs/decisions/0025-eventstoredb-adapter.md).
 * - Dropped connection: a transient error (unavailable, cancelled by the server, deadline,
 *   leader change, reset) resubscribes from the last handled position with exponential
 *   backoff, logging each attempt; `stop()` ends it. A handler error or any other error
 *   ends the subscription and rejects `finished`.
 */
export function esdbCatchUpSubscription(
  source: EsdbSubscriptionSource,
  options: SubscribeOptions,
  handler: SubscriptionHandler,
): Subscription {
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_SUBSCRIPTION_BATCH_SIZE);
  // An invalid checkpoint fails in `follow` (RangeError, not transient) and rejects `finished`.
  let checkpoint = options.after ?? 0;
  let stopped = false;
  let stopWake: (() => void) | null = null;
  let attempt = 0;

  const follow = async (): Promise<void> => {
    const from = readPositionAfter(checkpoint);
    const head = await source.headPosition();
    if (stopped) return;
    const subscription = source.subscribe(from, Math.max(batchSize, 16));
    const wakeup = new Wakeup();
    stopWake = wakeup.wake;
    let failure: unknown = null;
    let ended = false;
    let received = 0;
    /** `received` count at which the server said it had caught up. */
    let serverCaughtUpAt: number | null = null;
    let headTarget: number | null = head;
    let live = false;

    const onError = (error: Error) => {
      failure ??= error;
      wakeup.wake();
    };
    const onEnd = () => {
      ended = true;
      wakeup.wake();
    };
    const onCaughtUp = () => {
      // Everything received before this message is counted in `received` or still buffered.
      serverCaughtUpAt = received + subscription.readableLength;
      wakeup.wake();
    };
    const onFellBehind = () => {
      live = false;
      serverCaughtUpAt = null;
      headTarget = null;
    };
    subscription.on('error', onError);
    subscription.on('readable', wakeup.wake);
    subscription.on('end', onEnd);
    subscription.on('close', onEnd);
    subscription.on('caughtUp', onCaughtUp);
    subscription.on('fellBehind', onFellBehind);

    const reportCaughtUp = () => {
      attempt = 0;
      handler.onCaughtUp?.(checkpoint);
    };

    try {
      while (!stopped) {
        const batch: RecordedEvent[] = [];
        let scanned = checkpoint;
        let pulled = 0;
        while (batch.length < batchSize) {
          const resolved = subscription.read();
          if (resolved === null) break;
          pulled += 1;
          received += 1;
          const position = source.positionOf(resolved);
          if (position <= checkpoint || position <= scanned) continue;
          scanned = position;
          const recorded = source.toRecorded(resolved);
          if (recorded) batch.push(recorded);
        }
        if (batch.length > 0) {
          try {
            await handler.onEvents(batch);
          } catch (error) {
            throw new HandlerFailure(error);
          }
          attempt = 0;
        }
        checkpoint = Math.max(checkpoint, scanned);
        if (stopped) break;

        if (!live) {
          const reachedHead = headTarget !== null && checkpoint >= headTarget;
          const serverSaysSo = serverCaughtUpAt !== null && received >= serverCaughtUpAt;
          if (reachedHead || serverSaysSo) {
            live = true;
            reportCaughtUp();
          }
        } else if (batch.length > 0 && subscription.readableLength === 0) {
          reportCaughtUp();
        }

        if (pulled === 0) {
          if (failure !== null) throw failure;
          if (ended) throw new SubscriptionEndedError();
          await wakeup.wait();
        }
      }
    } finally {
      stopWake = null;
      subscription.removeListener('readable', wakeup.wake);
      subscription.removeListener('end', onEnd);
      subscription.removeListener('close', onEnd);
      subscription.removeListener('caughtUp', onCaughtUp);
      subscription.removeListener('fellBehind', onFellBehind);
      // The error listener stays: an error emitted after we let go must not crash the process.
      await subscription.unsubscribe().catch(() => undefined);
      subscription.destroy();
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        stopWake = null;
        resolve();
      }
      stopWake = done;
    });

  const run = async (): Promise<void> => {
    while (!stopped) {
      try {
        await follow();
        return;
      } catch (error) {
        if (error instanceof HandlerFailure) throw error.error;
        if (stopped) return;
        if (!isTransientEsdbError(error)) throw error;
        attempt += 1;
        const delay = reconnectDelay(attempt, source.reconnect);
        source.log(
          `EventStoreDB $all subscription dropped (${describeError(error)}); resubscribing after position ${checkpoint} in ${delay} ms (attempt ${attempt})`,
        );
        await sleep(delay);
      }
    }
  };

  const finished = run();
  finished.catch(() => undefined);
  return {
    finished,
    async stop() {
      stopped = true;
      stopWake?.();
      await finished.catch(() => undefined);
    },
  };
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const type = (error as { type?: unknown }).type;
  return `${typeof type === 'string' ? type : error.name}: ${error.message}`;
}
