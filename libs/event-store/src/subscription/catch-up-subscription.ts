import {
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '../event-store';
import { type AppendSignal } from './append-signal';

export const DEFAULT_SUBSCRIPTION_BATCH_SIZE = 500;

/**
 * A catch-up subscription over any store that can read its log in position order:
 * reads pages from the checkpoint, hands them to the handler one at a time (the next
 * page waits for the handler), and when a read finds nothing new waits for the append signal.
 * Positions are gap-free and in commit order, so reading past the head can never skip an event.
 */
export function catchUpSubscription(
  readAll: (options: ReadAllOptions) => Promise<RecordedEvent[]>,
  signal: AppendSignal,
  options: SubscribeOptions,
  handler: SubscriptionHandler,
): Subscription {
  const abort = new AbortController();
  const batchSize = options.batchSize ?? DEFAULT_SUBSCRIPTION_BATCH_SIZE;

  const run = async () => {
    let checkpoint = options.after ?? 0;
    let reportedCaughtUp = false;
    while (!abort.signal.aborted) {
      const events = await readAll({ after: checkpoint, maxCount: batchSize });
      if (abort.signal.aborted) break;
      if (events.length > 0) {
        await handler.onEvents(events);
        checkpoint = events[events.length - 1].position;
        reportedCaughtUp = false;
        // Read on at once, full page or not: what was appended while the handler worked is
        // there now, and another process's appends reach the signal only at its next poll.
        continue;
      }
      if (!reportedCaughtUp) {
        handler.onCaughtUp?.(checkpoint);
        reportedCaughtUp = true;
      }
      await signal.wait(abort.signal);
    }
  };

  const finished = run();
  // A failure is reported through `finished`; keep it from being an unhandled rejection
  // when nobody awaits it before it settles.
  finished.catch(() => undefined);
  return {
    finished,
    async stop() {
      abort.abort();
      await finished.catch(() => undefined);
    },
  };
}
