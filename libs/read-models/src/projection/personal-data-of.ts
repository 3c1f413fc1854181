import { type RecordedEvent } from '@rapport/event-store';

/** `ProjectionTarget.personalDataOf` of a target that reads no personal field of any event. */
export const readsNoPersonalData = (_event: RecordedEvent): boolean => false;

/**
 * The `personalDataOf` of a target that hands each batch to another target, chosen at
 * batch time (a live version, a slot's model): the current one's answer, all events while
 * there is none yet.
 */
export function personalDataOfCurrent(
  current: () => { personalDataOf?: (event: RecordedEvent) => boolean } | undefined,
): (event: RecordedEvent) => boolean {
  return (event) => {
    const target = current();
    return target?.personalDataOf ? target.personalDataOf(event) : true;
  };
}

/** The `handles` of a target that hands each batch to another one: the current one's, all events while there is none. */
export function handlesOfCurrent(
  current: () => { handles?: (event: RecordedEvent) => boolean } | undefined,
): (event: RecordedEvent) => boolean {
  return (event) => {
    const target = current();
    return target?.handles ? target.handles(event) : true;
  };
}
