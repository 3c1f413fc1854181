import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@rapport/event-store';
import { REPO_ROOT } from '@rapport/testing';
import { startCli } from './support/cli-process.spec-helper';

/** What must not reach stderr when the reader goes away: the error, a stack trace. */
const NOISE = /EPIPE|broken pipe|Error|^\s+at /im;

/**
 * Runs `bin/rapport <args>` with a reader that goes away: stdout's (or stderr's) pipe is
 * closed on our side at once — before the CLI has started, so its first write finds no
 * reader — or after the first chunk of output has arrived, so the CLI is in the middle of
 * writing.
 */
async function runWithReaderGone(
  args: string[],
  cwd: string,
  close: { stream: 'stdout' | 'stderr'; when: 'at once' | 'after the first chunk' },
) {
  const { child, out, exited } = startCli(args, cwd);
  const pipe = child[close.stream];
  if (close.when === 'at once') pipe.destroy();
  else pipe.once('data', () => pipe.destroy());
  const code = await exited;
  return { code, ...out };
}

/** Runs a shell pipeline with pipefail: its status is the last non-zero one of its commands. */
function pipeline(script: string, cwd: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'bash',
      ['-c', `set -o pipefail; ${script}`],
      { cwd, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('rapport when the reader of its output goes away', () => {
  jest.setTimeout(120_000);
  const events = 20_000;
  let dir: string;
  let store: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rapport-closed-output-'));
    const path = join(dir, 'log.db');
    store = `sqlite:${path}`;
    // Far more output than a pipe holds (~5 MB of NDJSON against 64 KB): the CLI cannot
    // have written it all before the reader goes.
    const log = new SqliteEventStore({ path });
    for (let i = 0; i < events; i += 1000)
      await log.appendMany(
        Array.from({ length: 1000 }, (_, j) => ({
          streamId: `customer-${(i + j) % 100}`,
          expectedRevision: 'any' as const,
          events: [
            {
              id: randomUUID(),
              type: 'touchpoint.recorded.v1',
              data: { n: i + j, text: 'x'.repeat(100) },
            },
          ],
        })),
      );
    await log.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--help into a pipe nobody reads: exit status 0, nothing on stderr', async () => {
    const result = await runWithReaderGone(['replay', '--help'], dir, {
      stream: 'stdout',
      when: 'at once',
    });
    expect(result.stderr).not.toMatch(NOISE);
    expect(result.code).toBe(0);
  });

  it('export --out - | head -1: the first event, then both exit 0 (pipefail) without a word on stderr', async () => {
    const cli = `"${process.execPath}" "${join(REPO_ROOT, 'bin/rapport')}"`;
    const result = await pipeline(
      `${cli} export --store '${store}' --format ndjson --out - --batch 100 | head -1`,
      dir,
    );
    expect(result.stderr).not.toMatch(NOISE);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ position: 1, data: { n: 0 } });
  });

  it('export --out - stops when stdout closes in the middle: exit 0, no stack trace', async () => {
    const result = await runWithReaderGone(
      ['export', '--store', store, '--format', 'ndjson', '--out', '-', '--no-progress'],
      dir,
      { stream: 'stdout', when: 'after the first chunk' },
    );
    expect(result.stderr).not.toMatch(NOISE);
    expect(result.code).toBe(0);
    // It stopped: no summary of a finished export.
    expect(result.stderr).not.toMatch(/exported \d+ events/);
  });

  it('tail (written through process.stdout) stops when stdout closes in the middle: exit 0', async () => {
    const result = await runWithReaderGone(
      ['tail', '--store', store, '--last', String(events), '--ndjson'],
      dir,
      { stream: 'stdout', when: 'after the first chunk' },
    );
    expect(result.stderr).not.toMatch(NOISE);
    expect(result.code).toBe(0);
  });

  it('a reader of stderr (the progress) going away does not stop an export to a file', async () => {
    const file = join(dir, 'all.ndjson');
    const result = await runWithReaderGone(
      ['export', '--store', store, '--format', 'ndjson', '--out', file, '--batch', '100'],
      dir,
      { stream: 'stderr', when: 'at once' },
    );
    expect(result.code).toBe(0);
    const positions = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { position: number }).position);
    expect(positions).toEqual(Array.from({ length: events }, (_, i) => i + 1));
  });
});
