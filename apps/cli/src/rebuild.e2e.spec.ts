import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from '@rapport/event-store';
import { keysStartingWith, unlinkKeysStartingWith } from '@rapport/read-models/internals';
import { describeWithServices, testRedis } from '@rapport/testing';
import { startCli } from './support/cli-process.spec-helper';

const PEOPLE = 40;
const PER_PERSON = 400;

/** `rapport rebuild` as a process, against a SQLite log and real Redis. */
describeWithServices(['redis'], 'rapport rebuild', ({ redis: redisUrl }) => {
  jest.setTimeout(240_000);
  const prefix = `rapport-test-rebuild-${randomUUID().slice(0, 8)}:`;
  const readModels = `${redisUrl}/0?prefix=${prefix}`;
  const redis = testRedis(redisUrl);
  let dir: string;
  let store: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rapport-rebuild-'));
    store = `sqlite:${join(dir, 'log.db')}`;
    const log = await openEventStore(store);
    for (let p = 0; p < PEOPLE; p++)
      await log.append(
        `customer-${p}`,
        [...Array(PER_PERSON).keys()].map((n) => ({
          id: randomUUID(),
          type: 'touchpoint.recorded.v1',
          data: {
            channel: 'email',
            direction: 'inbound',
            identity: { kind: 'email', value: `p${p}@rebuild.example` },
            content: { text: `note ${n}` },
          },
          metadata: {
            ce: { id: `r-${p}-${n}`, source: 'tests/cli' },
            customerId: `c-${p}`,
            occurredAt: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
          },
        })),
      );
    await log.close();
  });
  afterAll(async () => {
    try {
      await unlinkKeysStartingWith(redis, prefix);
    } finally {
      redis.disconnect();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--help, and bad input as one line with exit status 2 (unknown names list the known ones)', async () => {
    const help = startCli(['rebuild', '--help'], dir);
    expect(await help.exited).toBe(0);
    expect(help.out.stdout).toMatch(/blue\/green/);
    expect(help.out.stdout).toMatch(/--all/);
    expect(help.out.stdout).toMatch(/resumes it/);

    const neither = startCli(['rebuild', '--read-models', readModels], dir);
    expect(await neither.exited).toBe(2);
    expect(neither.out.stderr.trim().split('\n')).toHaveLength(1);
    expect(neither.out.stderr).toMatch(/name one projection .* or --all/);

    const unknown = startCli(['rebuild', 'timelines', '--read-models', readModels], dir);
    expect(await unknown.exited).toBe(2);
    expect(unknown.out.stderr).toMatch(
      /unknown projection timelines; .* timeline, closeness, ideas/,
    );

    const resolution = startCli(
      ['rebuild', 'identity-resolution', '--read-models', readModels],
      dir,
    );
    expect(await resolution.exited).toBe(2);
    expect(resolution.out.stderr).toMatch(/never rebuilt/);

    const memory = startCli(['rebuild', '--all', '--read-models', 'memory'], dir);
    expect(await memory.exited).toBe(2);
    expect(memory.out.stderr).toMatch(/POST \/v1\/admin\/projections\/<name>\/rebuild/);
  });

  it('Ctrl-C halfway keeps the live version; the same command resumes and switches; --all rebuilds every projection', async () => {
    const args = [
      'rebuild',
      'timeline',
      '--store',
      store,
      '--read-models',
      readModels,
      '--batch',
      '200',
    ];
    const first = startCli(args, dir);
    // Ctrl-C once the new version holds part of the log.
    const progressed = async () => {
      const version = await redis.hget(
        `${prefix}{timeline}:projections:rebuild:timeline`,
        'version',
      );
      const position =
        version && (await redis.get(`${prefix}v${version}:{timeline}:checkpoint:timeline`));
      return Number(position ?? 0) > 0;
    };
    const deadline = Date.now() + 60_000;
    while (!(await progressed()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(130);
    expect(first.out.stdout).toMatch(
      /timeline: stopped at position \d+; version 0 stays live\. Run the same command to resume version 1/,
    );
    expect(await redis.get(`${prefix}{timeline}:projections:live:timeline`)).toBeNull();
    expect(await redis.hget(`${prefix}{timeline}:projections:rebuild:timeline`, 'version')).toBe(
      '1',
    );

    const second = startCli(args, dir);
    expect(await second.exited).toBe(0);
    const head = PEOPLE * PER_PERSON;
    expect(second.out.stdout).toMatch(
      new RegExp(
        `timeline: version 1 is live at position ${head} \\(was version 0, now dropped\\); \\d+ events after resuming at \\d+ in [\\d.]+ s, \\d+ events/s`,
      ),
    );
    expect(await redis.get(`${prefix}{timeline}:projections:live:timeline`)).toBe('1');
    expect(await redis.zcard(`${prefix}v1:{timeline}:timeline:email:p7@rebuild.example`)).toBe(
      PER_PERSON,
    );

    const all = startCli(['rebuild', '--all', '--store', store, '--read-models', readModels], dir);
    expect(await all.exited).toBe(0);
    const lines = all.out.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['timeline', 'closeness', 'ideas']);
    expect(lines[0]).toMatch(/version 2 is live .* \(was version 1, now dropped\)/);
    // The dropped version left nothing behind.
    expect(await keysStartingWith(redis, `${prefix}v1:`)).toEqual([]);
    console.log(`rapport rebuild --all on ${head} events:\n  ${lines.join('\n  ')}`);
  });
});
