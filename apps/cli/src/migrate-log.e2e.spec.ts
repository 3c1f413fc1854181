import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, verifyMigration } from '@rapport/event-store';
import { REPO_ROOT } from '@rapport/testing';

function runCli(args: string[], cwd: string, onLine?: (line: string, kill: () => void) => void) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>(
    (resolve) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/rapport'), ...args], {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const kill = () => child.kill('SIGKILL');
      const timer = onLine ? setInterval(() => onLine(output, kill), 20) : undefined;
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('exit', (code, signal) => {
        if (timer) clearInterval(timer);
        resolve({ code, signal, output });
      });
    },
  );
}

describe('rapport migrate-log', () => {
  jest.setTimeout(180_000);

  it('copies a log, survives a SIGKILL halfway, resumes from its checkpoint and verifies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-migrate-'));
    const sourcePath = join(dir, 'source.db');
    const source = new SqliteEventStore({ path: sourcePath });
    const total = 20_000;
    for (let i = 0; i < total; i += 500) {
      await source.appendMany(
        Array.from({ length: 500 }, (_, j) => ({
          streamId: `customer-${(i + j) % 300}`,
          expectedRevision: 'any' as const,
          events: [
            {
              id: randomUUID(),
              type: 'touchpoint.recorded.v1',
              data: { n: i + j, text: 'ünïcödé ✓' },
              metadata: { n: i + j },
            },
          ],
        })),
      );
    }
    const targetPath = join(dir, 'target.db');
    const args = [
      'migrate-log',
      '--from',
      `sqlite:${sourcePath}`,
      '--to',
      `sqlite:${targetPath}`,
      '--batch',
      '100',
      '--checkpoint',
      join(dir, 'cp.json'),
    ];

    // First run: killed once its checkpoint shows some progress.
    const killed = await runCli(args, dir, (_output, kill) => {
      const file = join(dir, 'cp.json');
      if (
        existsSync(file) &&
        (JSON.parse(readFileSync(file, 'utf8')) as { checkpoint: number }).checkpoint >= 3000
      )
        kill();
    });
    expect(killed.signal).toBe('SIGKILL');
    const partial = new SqliteEventStore({ path: targetPath });
    const copiedBeforeKill = await partial.headPosition();
    await partial.close();
    expect(copiedBeforeKill).toBeGreaterThanOrEqual(3000);
    expect(copiedBeforeKill).toBeLessThan(total);

    // Second run: the same command resumes and finishes, with a verification pass.
    const resumed = await runCli(args, dir);
    expect(resumed.code).toBe(0);
    expect(resumed.output).toMatch(/resuming after source position \d+/);
    expect(resumed.output).toContain(`verified: ${total} events identical`);
    expect(existsSync(join(dir, 'cp.json'))).toBe(false);

    const target = new SqliteEventStore({ path: targetPath });
    try {
      expect(await target.headPosition()).toBe(total);
      expect(await verifyMigration(source, target)).toEqual({ compared: total, mismatches: [] });
    } finally {
      await target.close();
      await source.close();
    }
  });

  it('says clearly what is wrong with a bad store URL', async () => {
    const result = await runCli(
      ['migrate-log', '--from', 'mysql://x', '--to', 'sqlite::memory:'],
      tmpdir(),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain('unknown kind of store');
  });
});
