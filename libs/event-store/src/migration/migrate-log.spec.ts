import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { appendsInOrder, migrateLog, verifyMigration } from './migrate-log';

const memory = () => new SqliteEventStore({ path: ':memory:' });

async function seed(store: SqliteEventStore, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await store.append(`s-${i % 7}`, [
      { id: randomUUID(), type: 'n.v1', data: { i, text: 'Grüße 👋' }, metadata: { k: i } },
    ]);
  }
}

describe('migrateLog', () => {
  it('copies ids, revisions, order, data and metadata; the verification agrees', async () => {
    const [source, target] = [memory(), memory()];
    await seed(source, 250);
    const result = await migrateLog(source, target, { batchSize: 40 });
    expect(result).toMatchObject({
      handled: 250,
      alreadyThere: 0,
      stopped: false,
      checkpoint: 250,
    });
    const [a, b] = [await source.readAll(), await target.readAll()];
    expect(b.map((e) => [e.id, e.streamId, e.revision, e.position, e.data, e.metadata])).toEqual(
      a.map((e) => [e.id, e.streamId, e.revision, e.position, e.data, e.metadata]),
    );
    expect(await verifyMigration(source, target, { batchSize: 33 })).toEqual({
      compared: 250,
      mismatches: [],
    });
  });

  it('resumes from an older checkpoint without copying anything twice, and stops when asked', async () => {
    const [source, target] = [memory(), memory()];
    await seed(source, 100);
    let batches = 0;
    const first = await migrateLog(source, target, {
      batchSize: 10,
      shouldStop: () => batches >= 4,
      onProgress: () => void (batches += 1),
    });
    expect(first).toMatchObject({ stopped: true, checkpoint: 40 });
    // A crash after writing a batch but before saving its checkpoint: resume from 30.
    const resumed = await migrateLog(source, target, { after: 30, batchSize: 10 });
    expect(resumed).toMatchObject({
      stopped: false,
      handled: 70,
      alreadyThere: 10,
      checkpoint: 100,
    });
    expect(await target.headPosition()).toBe(100);
    expect((await verifyMigration(source, target)).mismatches).toEqual([]);
  });

  it('refuses to write into a target whose streams disagree, and the verification names differences', async () => {
    const [source, target] = [memory(), memory()];
    await seed(source, 20);
    await target.append('s-0', [{ id: randomUUID(), type: 'other.v1', data: {} }]);
    await expect(migrateLog(source, target)).rejects.toThrow(/refused an append/);
    const verification = await verifyMigration(source, target);
    expect(verification.mismatches.length).toBeGreaterThan(0);
  });

  it('groups only consecutive events of one stream, so the global order survives', () => {
    const e = (streamId: string, revision: number, position: number) => ({
      id: randomUUID(),
      streamId,
      revision,
      position,
      type: 't.v1',
      data: {},
      metadata: {},
      recordedAt: '',
    });
    const appends = appendsInOrder([e('a', 0, 1), e('a', 1, 2), e('b', 0, 3), e('a', 2, 4)]);
    expect(appends.map((r) => [r.streamId, r.expectedRevision, r.events.length])).toEqual([
      ['a', 'no_stream', 2],
      ['b', 'no_stream', 1],
      ['a', 1, 1],
    ]);
  });
});
