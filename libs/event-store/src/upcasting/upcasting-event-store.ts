import {
  type EventStore,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '../event-store';

/** Turns a logged event into the newest shape of its type; returns the same object when it already is. */
export type UpcastEvent = (event: RecordedEvent) => RecordedEvent;

function upcastAll(events: RecordedEvent[], upcast: UpcastEvent): RecordedEvent[] {
  for (let i = 0; i < events.length; i++) events[i] = upcast(events[i]);
  return events;
}

/**
 * The event store with every read path upcast: `readStream`, `readAll` and catch-up
 * subscriptions hand out events in the newest schema version of their type, so readers
 * only ever know the newest shape while the log keeps what was written. Appends pass
 * through untouched (history is never rewritten). `openEventStore` wraps every store it
 * opens with this; only a copy of the log as stored (`migrate-log`) asks for the raw one.
 */
export function withUpcasting(store: EventStore, upcast: UpcastEvent): EventStore {
  return {
    positionsAreCounters: store.positionsAreCounters,
    append: (streamId, events, expectedRevision, options) =>
      store.append(streamId, events, expectedRevision, options),
    appendMany: (requests, options) => store.appendMany(requests, options),
    readStream: async (streamId: string, options?: ReadStreamOptions) =>
      upcastAll(await store.readStream(streamId, options), upcast),
    readAll: async (options?: ReadAllOptions) => upcastAll(await store.readAll(options), upcast),
    headPosition: () => store.headPosition(),
    subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
      return store.subscribeToAll(options, {
        onEvents: (events) => handler.onEvents(events.map(upcast)),
        ...(handler.onCaughtUp ? { onCaughtUp: (p: number) => handler.onCaughtUp?.(p) } : {}),
      });
    },
    close: () => store.close(),
  };
}
