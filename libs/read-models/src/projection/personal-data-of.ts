import { type RecordedEvent } from '@rapport/event-store';

/** `ProjectionTarget.personalDataOf` of a target that reads no personal field of any event. */
export const readsNoPersonalData = (_event: RecordedEvent): boolean => false;

type EventFilter = (event: RecordedEvent) => boolean;

/** A target's per-event answers: whose personal fields it reads, which events it acts on. */
interface EventFilters {
  readonly personalDataOf?: EventFilter;
  readonly handles?: EventFilter;
}

/**
 * The per-event answers of a target that hands each batch to another target, chosen at
 * batch time (a live version, a slot's model): the current one's, all events while there is
 * none yet or it does not say.
 */
export function eventFiltersOfCurrent(
  current: () => EventFilters | undefined,
): Required<EventFilters> {
  const ask =
    (name: keyof EventFilters): EventFilter =>
    (event) => {
      const filter = current()?.[name];
      return filter ? filter(event) : true;
    };
  return { personalDataOf: ask('personalDataOf'), handles: ask('handles') };
}
