import { randomUUID } from 'node:crypto';
import { serializeEvent, type SerializedEvent } from './event-content';
import { EventIdConflictError, WrongExpectedRevisionError } from './errors';
import { AppendPlan, type KnownEvent } from './append-plan';

const event = (data: unknown = { n: 1 }): SerializedEvent =>
  serializeEvent({ id: randomUUID(), type: 't.v1', data }, 1 << 20);

/** A log of 10 events whose stream `s` is at revision 4, and `e3` is at position 3 in `s`. */
function snapshot() {
  const e3 = event({ n: 3 });
  const known = new Map<string, KnownEvent>([
    [e3.id, { ...e3, streamId: 's', revision: 2, position: 3 }],
  ]);
  const plan = new AppendPlan(known, new Map([['s', 4]]), 10);
  return { plan, e3 };
}

describe('AppendPlan (the PostgreSQL write plan)', () => {
  it('plans new events above the snapshot head and rebases them onto the head the write found', () => {
    const { plan, e3 } = snapshot();
    const a = event();
    const result = plan.append('s', [a, e3, a], 4);
    expect(result.events).toEqual([
      { id: a.id, revision: 5, position: 11, duplicate: false },
      { id: e3.id, revision: 2, position: 3, duplicate: true },
      { id: a.id, revision: 5, position: 11, duplicate: true },
    ]);
    expect(plan.rows.map((r) => [r.position, r.revision])).toEqual([[11, 5]]);
    // Five events were committed by others between the snapshot and the write.
    const rebased = plan.rebase(result, 15);
    expect(rebased.events.map((e) => e.position)).toEqual([16, 3, 16]);
    expect(rebased.position).toBe(16);
    expect(plan.rebase(result, 10)).toBe(result);
  });

  it('rebases an empty append (answered with the head), not a retry that ends at the head', () => {
    const last = event();
    const known = new Map<string, KnownEvent>([
      [last.id, { ...last, streamId: 's', revision: 0, position: 10 }],
    ]);
    const plan = new AppendPlan(known, new Map([['s', 0]]), 10);
    const empty = plan.append('x', [], 'any');
    const retry = plan.append('s', [last], 'no_stream');
    plan.append('y', [event(), event()], 'no_stream');
    const emptyAfter = plan.append('x', [], 'any');
    expect([empty.position, retry.position, emptyAfter.position]).toEqual([10, 10, 12]);
    expect(plan.rebase(empty, 13).position).toBe(13);
    expect(plan.rebase(retry, 13)).toMatchObject({ position: 10, nextExpectedRevision: 0 });
    expect(plan.rebase(emptyAfter, 13).position).toBe(15);
  });

  it('keeps the snapshot revision of a stream written twice, and the revision after both', () => {
    const { plan } = snapshot();
    plan.append('s', [event()], 4);
    plan.append('s', [event(), event()], 5);
    plan.append('new', [event()], 'no_stream');
    expect([...plan.seenRevisions]).toEqual([
      ['s', 4],
      ['new', -1],
    ]);
    expect([...plan.nextRevisions]).toEqual([
      ['s', 7],
      ['new', 0],
    ]);
    expect(plan.rows.map((r) => r.position)).toEqual([11, 12, 13, 14]);
  });

  it('a refused append leaves the plan as it was', () => {
    const { plan, e3 } = snapshot();
    expect(() => plan.append('s', [event()], 3)).toThrow(WrongExpectedRevisionError);
    expect(() => plan.append('other', [event(), e3], 'any')).toThrow(EventIdConflictError);
    const a = event({ v: 1 });
    expect(() => plan.append('s', [a, { ...a, data: '{"v":2}' }], 'any')).toThrow(
      EventIdConflictError,
    );
    expect(plan.rows).toEqual([]);
    expect(plan.seenRevisions.size).toBe(0);
    expect(plan.append('s', [event()], 4).events[0]).toMatchObject({ revision: 5, position: 11 });
  });

  it('shifts the revisions of a stream found further on than planned, not those of known events', () => {
    const { plan, e3 } = snapshot();
    const a = event();
    const result = plan.append('s', [e3, a, a], 'any');
    expect(result.events.map((e) => e.revision)).toEqual([2, 5, 5]);
    // Three more events landed in `s` and five in the log before the write took the lock.
    const rebased = plan.rebase(result, 15, new Map([['s', 3]]));
    expect(rebased.events.map((e) => [e.revision, e.position])).toEqual([
      [2, 3],
      [8, 16],
      [8, 16],
    ]);
    expect(rebased.nextExpectedRevision).toBe(8);
    expect(plan.rebase(result, 10, new Map([['s', 0]]))).toBe(result);
  });
});
