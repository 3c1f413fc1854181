import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { SqliteEventStore } from './sqlite-event-store';

const root = resolve(__dirname, '../../../..');

interface Ack {
  n: number;
  id: string;
  position: number;
}

/** Runs the writer in its own process and SIGKILLs it once it has acknowledged `killAfter` appends. */
function runWriterAndKill(path: string, killAfter: number): Promise<Ack[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(__dirname, 'crash/append-until-killed.ts'), path, '3'],
      {
        cwd: root,
        env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.base.json') },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const acks: Ack[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [word, n, id, position] = line.split(' ');
      if (word !== 'ack') return;
      acks.push({ n: Number(n), id, position: Number(position) });
      if (acks.length === killAfter) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited by itself (${signal ?? _code})`));
      else resolvePromise(acks);
    });
  });
}

describe('SQLite event store under kill -9', () => {
  it('keeps every acknowledged append, in order, exactly once', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rapport-crash-')), 'log.db');
    const acks = await runWriterAndKill(path, 400);
    expect(acks.length).toBeGreaterThanOrEqual(400);

    const store = new SqliteEventStore({ path });
    try {
      const log = await store.readAll();
      const byId = new Map(log.map((e) => [e.id, e]));
      for (const ack of acks) {
        const event = byId.get(ack.id);
        expect(event).toBeDefined();
        expect(event?.position).toBe(ack.position);
        expect((event?.data as { n: number }).n).toBe(ack.n);
      }
      // In order and once: the log is the acknowledged prefix, plus at most the one
      // append that was in flight when the process died.
      expect(log.map((e) => (e.data as { n: number }).n)).toEqual(log.map((_, i) => i));
      expect(log.length - acks.length).toBeLessThanOrEqual(1);
      expect(new Set(log.map((e) => e.id)).size).toBe(log.length);
      expect(log.map((e) => e.position)).toEqual(log.map((_, i) => i + 1));
      // The store still takes appends after the crash.
      const next = await store.append('crash-0', [
        { id: '9f0c1c9e-3c7a-4a1e-8f0e-0d6c2b9a7e11', type: 'crash.tick.v1', data: {} },
      ]);
      expect(next.position).toBe(log.length + 1);
    } finally {
      await store.close();
    }
  });
});
