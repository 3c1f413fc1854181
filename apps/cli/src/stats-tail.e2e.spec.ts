import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CLOSENESS_CONFIG } from '@rapport/domain';
import { openEventStore } from '@rapport/event-store';
import { RedisClosenessReadModel, unlinkKeysStartingWith } from '@rapport/read-models/internals';
import { describeWithServices, testRedis } from '@rapport/testing';
import { startCli } from './support/cli-process.spec-helper';

const until = async (check: () => boolean, ms = 60_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

const touchpoint = (n: number, channel: string) => ({
  id: randomUUID(),
  type: 'touchpoint.recorded.v1',
  data: {
    channel,
    direction: 'inbound',
    identity: { kind: 'email', value: `p${n}@x.io` },
    content: { text: `note ${n}` },
  },
  metadata: { ce: { id: `t-${n}`, source: 'tests/cli' }, customerId: `c-${n % 3}` },
});

describeWithServices(['redis'], 'rapport stats and tail', ({ redis: redisUrl }) => {
  jest.setTimeout(120_000);
  const prefix = `rapport-test-stats-${randomUUID().slice(0, 8)}:`;
  const redis = testRedis(redisUrl);
  let dir: string;
  let store: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rapport-stats-'));
    store = `sqlite:${join(dir, 'log.db')}`;
    const log = await openEventStore(store, { raw: true });
    for (let n = 1; n <= 30; n++)
      await log.append(`customer-${n % 3}`, [touchpoint(n, n % 3 === 0 ? 'chat' : 'email')]);
    await log.append('customer-0', [
      {
        id: randomUUID(),
        type: 'survey.responded.v1',
        data: { identity: { kind: 'email', value: 'p0@x.io' }, answer: { kind: 'csat', score: 5 } },
        metadata: { ce: { id: 's-1', source: 'tests/cli' } },
      },
    ]);
    await log.close();
    await redis.set(`${prefix}{timeline}:checkpoint:timeline`, '31');
    // Closeness keeps its checkpoint beside its keys, which carry its configuration's fingerprint.
    const closeness = new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, { prefix });
    await redis.set(closeness.keys.checkpoint, '21');
  });
  afterAll(async () => {
    try {
      await unlinkKeysStartingWith(redis, prefix);
    } finally {
      redis.disconnect();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stats: counts by type and channel, streams, head, and each projection position and lag', async () => {
    const run = startCli(
      ['stats', '--store', store, '--read-models', `${redisUrl}/0?prefix=${prefix}`, '--json'],
      dir,
    );
    expect(await run.exited).toBe(0);
    const stats = JSON.parse(run.out.stdout) as Record<string, unknown>;
    expect(stats).toMatchObject({
      head: 31,
      events: 31,
      streams: 3,
      byType: { 'touchpoint.recorded.v1': 30, 'survey.responded.v2': 1 },
      byChannel: { email: 20, chat: 10, survey: 1 },
      projections: [
        { name: 'timeline', position: 31, lagEvents: 0, lagSeconds: 0 },
        { name: 'closeness', position: 21, lagEvents: 10 },
      ],
    });
  });

  it('tail: the last events as text or NDJSON, filtered, then --follow prints appends until Ctrl-C', async () => {
    const text = startCli(['tail', '--store', store, '-n', '5'], dir);
    expect(await text.exited).toBe(0);
    const lines = text.out.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatch(
      /^#31 .* survey\.responded\.v2 {2}customer-0 {2}survey {2}tests\/cli {2}“csat 5”$/,
    );

    const follow = startCli(
      ['tail', '--store', store, '--follow', '--ndjson', '--channel', 'chat', '-n', '3'],
      dir,
    );
    await until(() => follow.out.stdout.includes('"position":30'));
    const log = await openEventStore(store);
    await log.append('customer-1', [touchpoint(31, 'email'), touchpoint(32, 'chat')]);
    await log.close();
    await until(() => follow.out.stdout.includes('"position":33'));
    follow.child.kill('SIGINT');
    expect(await follow.exited).toBe(0);
    const positions = follow.out.stdout
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { position: number; channel: string }).position);
    expect(positions).toEqual([30, 33]);
  });

  it('bad input: one line, exit code 2', async () => {
    const run = startCli(['tail', '--store', store, '--from', 'soon'], dir);
    expect(await run.exited).toBe(2);
    expect(run.out.stderr.trim().split('\n')).toHaveLength(1);
  });
});
