import { type AppendRequest, type EventStore } from '@rapport/event-store';

/**
 * The real log, except that `appendMany` throws for any request holding an event whose
 * metadata (as JSON) contains `text`: a store that chokes on a value. Every other method
 * is the store's own.
 */
export function storeChokingOn(store: EventStore, text: string): EventStore {
  const appendMany = store.appendMany.bind(store);
  return Object.assign(Object.create(store) as EventStore, {
    appendMany: (requests: readonly AppendRequest[]) =>
      requests.some((r) => r.events.some((e) => JSON.stringify(e.metadata).includes(text)))
        ? Promise.reject(new Error('the store cannot take this event'))
        : appendMany(requests),
  });
}
