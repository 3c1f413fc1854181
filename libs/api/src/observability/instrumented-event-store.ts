import { type EventStore } from '@rapport/event-store';
import { type RapportMetrics } from './rapport-metrics';

/** The store's kind from its URL — `sqlite`, `postgres`, `esdb` — as a bounded label. */
export function storeKind(url: string): string {
  const scheme = /^([a-z]+):/.exec(url)?.[1] ?? 'other';
  if (scheme === 'postgresql') return 'postgres';
  return ['sqlite', 'postgres', 'esdb', 'memory'].includes(scheme) ? scheme : 'other';
}

const instrumented = new WeakSet<EventStore>();

/**
 * Times and counts the appends of the service's event log, in place: the one instance every
 * part of the service shares gets timed `append` and `appendMany` (the same behaviour, the
 * same results and errors), so no module that provides or uses the log has to know.
 */
export function instrumentAppends(store: EventStore, metrics: RapportMetrics, kind: string): void {
  if (instrumented.has(store) || !Object.isExtensible(store)) return;
  instrumented.add(store);
  const timed = async <T>(operation: string, events: number, write: () => Promise<T>) => {
    const end = metrics.appendDuration.startTimer({ store: kind, operation });
    try {
      const result = await write();
      metrics.appendedEvents.inc({ store: kind }, events);
      return result;
    } catch (error) {
      metrics.appendErrors.inc({ store: kind });
      throw error;
    } finally {
      end();
    }
  };
  const append = store.append.bind(store);
  const appendMany = store.appendMany.bind(store);
  Object.assign(store, {
    append: ((streamId, events, expectedRevision, options) =>
      timed('append', events.length, () =>
        append(streamId, events, expectedRevision, options),
      )) satisfies EventStore['append'],
    appendMany: ((requests, options) =>
      timed(
        'append_many',
        requests.reduce((n, r) => n + r.events.length, 0),
        () => appendMany(requests, options),
      )) satisfies EventStore['appendMany'],
  });
}
