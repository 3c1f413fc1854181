import { sameEventContent, type EventContent, type SerializedEvent } from './event-content';
import { EventIdConflictError } from './errors';
import { type AppendResult, type AppendedEvent, type ExpectedRevision } from './event-store';
import { checkExpectedRevision } from './expected-revision';

/** A stored event as an append compares it with a re-appended one. */
export interface KnownEvent extends EventContent {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
}

/** A row an append will insert. */
export interface PlannedRow {
  /** Planned as snapshot head + 1, + 2, … in the order of `rows`; the write rebases it. */
  readonly position: number;
  readonly streamId: string;
  readonly revision: number;
  readonly event: SerializedEvent;
}

/**
 * The appends of one write, planned against a snapshot of the log: the known events among
 * the ids it writes, the revisions of the streams it touches, and the head position. The
 * plan is kept current as it goes, so later appends of an `appendMany` see earlier ones.
 *
 * Positions are planned as snapshot head + 1 … + n. The write may find the head moved on
 * (other writers committed since the snapshot); it then numbers the rows from the head it
 * finds, and `rebase` shifts the answers to match. Revisions are numbered from the
 * revision each stream had in the snapshot (`seenRevisions`): a write refuses the plan when
 * a stream whose revision an append checks has moved, and may number the revisions of a
 * stream only ever appended to with `any` from the revision it finds (`rebase` then
 * shifts those too).
 */
export class AppendPlan {
  readonly rows: PlannedRow[] = [];
  /** Each stream this plan writes to: its revision in the snapshot (-1: no stream)… */
  readonly seenRevisions = new Map<string, number>();
  /** …and after the plan. */
  readonly nextRevisions = new Map<string, number>();
  private readonly snapshotHead: number;

  constructor(
    private readonly known: Map<string, KnownEvent>,
    private readonly revisions: Map<string, number>,
    private head: number,
  ) {
    this.snapshotHead = head;
  }

  /**
   * An answer of this plan, for a write that numbered its rows from `actualHead` + 1 and
   * found each stream in `revisionShifts` that many revisions above the one planned from
   * (`seenRevisions`): new events (planned above the snapshot head, and above their
   * stream's planned revision) and empty appends (answered with the head) move by the
   * difference; events already in the log keep their positions and revisions.
   */
  rebase(
    result: AppendResult,
    actualHead: number,
    revisionShifts?: ReadonlyMap<string, number>,
  ): AppendResult {
    const shift = actualHead - this.snapshotHead;
    const revisionShift = revisionShifts?.get(result.streamId) ?? 0;
    if (shift === 0 && revisionShift === 0) return result;
    const from = this.seenRevisions.get(result.streamId) ?? Number.MAX_SAFE_INTEGER;
    const move = (position: number) => (position > this.snapshotHead ? position + shift : position);
    const renumber = (revision: number) => (revision > from ? revision + revisionShift : revision);
    return {
      ...result,
      nextExpectedRevision: renumber(result.nextExpectedRevision),
      position: result.events.length === 0 ? result.position + shift : move(result.position),
      events: result.events.map((e) => ({
        id: e.id,
        revision: renumber(e.revision),
        position: move(e.position),
        duplicate: e.duplicate,
      })),
    };
  }

  /**
   * Plans one append the way the SQLite adapter performs it, or throws the typed error
   * that refuses it. A refused append leaves the plan as it was, so the other appends of
   * an `appendMany` go on without a savepoint.
   */
  append(
    streamId: string,
    events: readonly SerializedEvent[],
    expectedRevision: ExpectedRevision,
  ): AppendResult {
    const appended: (AppendedEvent | null)[] = [];
    const inThisAppend = new Map<string, SerializedEvent>();
    for (const event of events) {
      const twin = inThisAppend.get(event.id);
      if (twin && !sameEventContent(twin, event))
        throw new EventIdConflictError(event.id, streamId);
      const existing = this.known.get(event.id);
      if (existing && (existing.streamId !== streamId || !sameEventContent(existing, event))) {
        throw new EventIdConflictError(event.id, existing.streamId);
      }
      appended.push(
        existing
          ? {
              id: event.id,
              revision: existing.revision,
              position: existing.position,
              duplicate: true,
            }
          : null,
      );
      inThisAppend.set(event.id, event);
    }
    const current = this.revisions.get(streamId) ?? -1;
    if (events.length > 0 && appended.every((a) => a !== null)) {
      // A retry of an append that already succeeded: answer as the first time, even when
      // its expected revision no longer holds.
      const done = appended as AppendedEvent[];
      return {
        streamId,
        nextExpectedRevision: current,
        position: done[done.length - 1].position,
        events: done,
      };
    }
    checkExpectedRevision(streamId, expectedRevision, current);

    // Accepted: from here on nothing throws, so the plan changes only for accepted appends.
    let revision = current;
    let position = 0;
    const written = new Map<string, AppendedEvent>();
    const results = events.map((event, i): AppendedEvent => {
      const known = appended[i];
      if (known) return known;
      const earlier = written.get(event.id);
      if (earlier) return { ...earlier, duplicate: true };
      revision += 1;
      this.head += 1;
      position = this.head;
      this.rows.push({ position, streamId, revision, event });
      // Named fields, not a spread: this runs for every event of every append.
      this.known.set(event.id, {
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        streamId,
        revision,
        position,
      });
      const result = { id: event.id, revision, position, duplicate: false };
      written.set(event.id, result);
      return result;
    });
    if (revision !== current) {
      if (!this.seenRevisions.has(streamId)) this.seenRevisions.set(streamId, current);
      this.revisions.set(streamId, revision);
      this.nextRevisions.set(streamId, revision);
    }
    return {
      streamId,
      nextExpectedRevision: revision,
      position: position === 0 ? this.head : position,
      events: results,
    };
  }
}
