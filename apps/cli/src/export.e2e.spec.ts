import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@rapport/event-store';
import { REPO_ROOT } from '@rapport/testing';

function runCli(args: string[], cwd: string, interruptWhen?: () => boolean) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/rapport'), ...args], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    const timer = interruptWhen
      ? setInterval(() => {
          if (!sent && interruptWhen()) {
            sent = true;
            child.kill('SIGINT');
          }
        }, 5)
      : undefined;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      if (timer) clearInterval(timer);
      resolve({ code, stderr });
    });
  });
}

const positionsIn = (file: string) =>
  readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => (JSON.parse(l) as { position: number }).position);

describe('rapport export as a process', () => {
  jest.setTimeout(180_000);
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'rapport-export-cli-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('Ctrl-C completes a valid file up to where it stopped; --from the position it names exports the rest', async () => {
    const logPath = join(dir, 'log.db');
    const store = new SqliteEventStore({ path: logPath });
    const total = 30_000;
    for (let i = 0; i < total; i += 1000)
      await store.appendMany(
        Array.from({ length: 1000 }, (_, j) => ({
          streamId: `customer-${(i + j) % 100}`,
          expectedRevision: 'any' as const,
          events: [{ id: randomUUID(), type: 'touchpoint.recorded.v1', data: { n: i + j } }],
        })),
      );
    await store.close();

    const first = join(dir, 'first.ndjson');
    const stopped = await runCli(
      [
        'export',
        '--store',
        `sqlite:${logPath}`,
        '--format',
        'ndjson',
        '--out',
        first,
        '--batch',
        '50',
      ],
      dir,
      () => existsSync(`${first}.partial`) && statSync(`${first}.partial`).size > 0,
    );
    expect(stopped.code).toBe(130);
    const match = /export the rest with --from (\d+)/.exec(stopped.stderr);
    expect(match).not.toBeNull();
    const next = Number(match![1]);
    expect(next).toBeGreaterThan(1);
    expect(next).toBeLessThanOrEqual(total);
    expect(existsSync(`${first}.partial`)).toBe(false);

    const rest = join(dir, 'rest.ndjson');
    const finished = await runCli(
      [
        'export',
        '--store',
        `sqlite:${logPath}`,
        '--format',
        'ndjson',
        '--out',
        rest,
        '--from',
        String(next),
      ],
      dir,
    );
    expect(finished.code).toBe(0);
    const positions = [...positionsIn(first), ...positionsIn(rest)];
    expect(positions).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it('refuses bad input in one line with exit code 2', async () => {
    const result = await runCli(['export', '--format', 'csv', '--out', '-'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
