import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInboundEvent, toLogEvent } from '@rapport/wire';
import { SqliteEventStore } from '@rapport/event-store';
import {
  cleanRebuildDump,
  liveModelsAt,
  readModelDump,
  unlinkKeysStartingWith,
} from '@rapport/read-models/internals';
import {
  demoTouchpoints,
  describeWithServices,
  eventually,
  httpJson,
  type RunningProcess,
  startService,
  testRedis,
} from '@rapport/testing';

interface Health {
  projections: {
    position: number;
    caughtUp: boolean;
    role: 'active' | 'standby';
    takeovers: number;
  }[];
}

describeWithServices(['redis'], 'projector processes on Redis', (urls) => {
  jest.setTimeout(180_000);
  const run = `proj${Date.now().toString(36)}`;
  const prefix = `rapport:${run}:`;
  const logPath = join(mkdtempSync(join(tmpdir(), 'rapport-projector-')), 'log.db');
  const env = {
    RAPPORT_EVENT_STORE: `sqlite:${logPath}`,
    RAPPORT_READ_MODELS: `${urls.redis}/0?prefix=${prefix}`,
  };
  const redis = testRedis(urls.redis);
  const store = new SqliteEventStore({ path: logPath });
  const touchpoints = demoTouchpoints({
    customers: 150,
    days: 60,
    now: new Date('2026-06-01T00:00:00Z'),
    seed: 9,
  });
  let projectors: RunningProcess[] = [];

  /** Appends touchpoints to the log as the ingestor would. */
  async function append(from: number, to: number): Promise<number> {
    const drafts = touchpoints.slice(from, to).map((t) => {
      const parsed = parseInboundEvent(t, { now: new Date('2026-06-01T00:00:00Z') });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      return toLogEvent(parsed.value);
    });
    await store.appendMany(
      drafts.map((d) => ({ streamId: d.streamId, expectedRevision: 'any', events: [d] })),
    );
    return store.headPosition();
  }
  const health = async (p: RunningProcess) =>
    (await httpJson<Health>(`${p.url}/health`)).body.projections[0];
  afterAll(async () => {
    await Promise.all(projectors.map((p) => p.stop()));
    await unlinkKeysStartingWith(redis, prefix);
    redis.disconnect();
    await store.close();
  });

  it('lets one of two projectors write; the standby takes over when the holder is SIGKILLed', async () => {
    const head1 = await append(0, 1500);
    projectors = await Promise.all([
      startService('projector', env),
      startService('projector', env),
    ]);
    // Identity resolution appends to the log as well: wait for the head it settles at.
    const [first] = await eventually(
      async () => Promise.all(projectors.map(health)),
      (hs) => hs.some((h) => h.role === 'active' && h.position >= head1),
      60_000,
    );
    const states = await Promise.all(projectors.map(health));
    expect(states.map((h) => h.role).sort()).toEqual(['active', 'standby']);
    expect(first).toBeDefined();
    const active = projectors[states.findIndex((h) => h.role === 'active')];
    const standby = projectors[states.findIndex((h) => h.role === 'standby')];

    await active.kill();
    const head2 = await append(1500, 3000);
    const settled = await eventually(
      async () => [await health(standby), await store.headPosition()] as const,
      ([h, head]) => h.role === 'active' && h.position >= head2 && h.position === head,
      60_000,
    );
    expect(settled[0]).toMatchObject({ role: 'active', position: settled[1] });
    await liveModelsAt(redis, prefix, await store.headPosition());
    expect(await readModelDump(redis, prefix)).toEqual(
      await cleanRebuildDump(store, redis, prefix),
    );
  });

  it('notices that Redis came back empty and rebuilds the model from the log by itself', async () => {
    const head = await store.headPosition();
    const active = projectors.find(
      (p) => p.child.exitCode === null && p.child.signalCode === null,
    ) as RunningProcess;
    // Redis keeps nothing on disk: a restart loses every key, the lease included.
    await unlinkKeysStartingWith(redis, prefix);
    expect(await redis.get(`${prefix}{timeline}:checkpoint:timeline`)).toBeNull();
    const checkpoint = await eventually(
      async () => Number(await redis.get(`${prefix}{timeline}:checkpoint:timeline`)),
      (c) => c === head,
      60_000,
    );
    expect(checkpoint).toBe(head);
    // It got there by starting over: the lease was gone, so it was taken anew. (The runner
    // learns that its batch is in once the script has answered, a moment after Redis shows it.)
    const back = await eventually(
      () => health(active),
      (h) => h.caughtUp && h.position === head,
      10_000,
    );
    expect(back).toMatchObject({ role: 'active', position: head, caughtUp: true });
    expect(back.takeovers).toBeGreaterThanOrEqual(2);
    await liveModelsAt(redis, prefix, await store.headPosition());
    expect(await readModelDump(redis, prefix)).toEqual(
      await cleanRebuildDump(store, redis, prefix),
    );
  });
});
