import { memoryAccessStores } from '../backends/memory/memory-access-stores';
import { type AuditEntry, type AuditTrail } from './audit-trail';
import { BufferedAuditTrail } from './buffered-audit-trail';

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date('2026-03-01T11:00:00.000Z');
const entry = (customerId: string): AuditEntry => ({
  at: '2026-03-01T10:00:00.000Z',
  actor: 'agent-1',
  roles: ['agent'],
  action: 'GET /v1/customers/:id',
  customerId,
  status: 200,
});

/** A trail that counts its writes and fails the first `failures` of them. */
function countingTrail(failures = 0) {
  const inner = memoryAccessStores().audit;
  const calls: number[] = [];
  const trail: AuditTrail = {
    record: (e, r) => trail.recordAll([e], r),
    async recordAll(entries, retentionMs) {
      calls.push(entries.length);
      if (calls.length <= failures) throw new Error('backend down');
      await inner.recordAll(entries, retentionMs);
    },
    query: (q, now) => inner.query(q, now),
  };
  return { trail, calls };
}

describe('BufferedAuditTrail', () => {
  it('writes the entries recorded together in one batch', async () => {
    const { trail, calls } = countingTrail();
    const buffered = new BufferedAuditTrail(trail, { flushEveryMs: 5 });
    await Promise.all(['c1', 'c2', 'c3'].map((c) => buffered.record(entry(c), DAY)));
    expect(calls).toEqual([3]);
    expect((await trail.query({ limit: 10 }, NOW)).map((e) => e.customerId).sort()).toEqual([
      'c1',
      'c2',
      'c3',
    ]);
    await buffered.close();
  });

  it('writes a full batch without waiting for the timer', async () => {
    const { trail, calls } = countingTrail();
    const buffered = new BufferedAuditTrail(trail, { flushEveryMs: 60_000, maxBatch: 2 });
    await Promise.all(['c1', 'c2'].map((c) => buffered.record(entry(c), DAY)));
    expect(calls).toEqual([2]);
    await buffered.close();
  });

  it('keeps a batch whose write failed and writes it with the next', async () => {
    const errors: unknown[] = [];
    const { trail, calls } = countingTrail(1);
    const buffered = new BufferedAuditTrail(trail, {
      flushEveryMs: 1,
      retryAfterMs: 1,
      onError: (e) => errors.push(e),
    });
    const first = buffered.record(entry('c1'), DAY);
    await new Promise((r) => setTimeout(r, 20));
    await Promise.all([first, buffered.record(entry('c2'), DAY)]);
    expect(errors).toHaveLength(1);
    expect(calls[0]).toBe(1);
    expect((await buffered.query({ limit: 10 }, NOW)).map((e) => e.customerId).sort()).toEqual([
      'c1',
      'c2',
    ]);
    await buffered.close();
  });

  it('loses nothing on close, and writes through once closed', async () => {
    const { trail, calls } = countingTrail();
    const buffered = new BufferedAuditTrail(trail, { flushEveryMs: 60_000 });
    void buffered.record(entry('c1'), DAY);
    void buffered.record(entry('c2'), DAY);
    await buffered.close();
    expect(calls).toEqual([2]);
    await buffered.record(entry('c3'), DAY);
    expect(calls).toEqual([2, 1]);
    expect(await trail.query({ limit: 10 }, NOW)).toHaveLength(3);
  });

  it('reads its own writes', async () => {
    const { trail } = countingTrail();
    const buffered = new BufferedAuditTrail(trail, { flushEveryMs: 60_000 });
    void buffered.record(entry('c1'), DAY);
    expect(await buffered.query({ customerId: 'c1', limit: 10 }, NOW)).toHaveLength(1);
    await buffered.close();
  });
});
