/**
 * `npm run bench:migrate`: builds a SQLite log of BENCH_MIGRATE_EVENTS events (default
 * 1,000,000: realistic touchpoints over 20,000 customer streams), then runs
 * `rapport migrate-log` from it into a fresh PostgreSQL schema — a separate process, with
 * its progress bar and verification pass — and prints the copy rate. The schema and the
 * files are removed afterwards.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@rapport/event-store';
import { obtainService, REPO_ROOT } from '@rapport/testing';
import { Client } from 'pg';

const EVENTS = Number(process.env.BENCH_MIGRATE_EVENTS ?? 1_000_000);
const STREAMS = 20_000;

async function buildSource(path: string): Promise<number> {
  const store = new SqliteEventStore({ path });
  const started = Date.now();
  const batch = 2000;
  for (let i = 0; i < EVENTS; i += batch) {
    await store.appendMany(
      Array.from({ length: Math.min(batch, EVENTS - i) }, (_, j) => {
        const n = i + j;
        return {
          streamId: `customer-${(n * 7919) % STREAMS}`,
          expectedRevision: 'any' as const,
          events: [
            {
              id: randomUUID(),
              type: 'touchpoint.recorded.v1',
              data: {
                channel: ['email', 'chat', 'social', 'in_person'][n % 4],
                direction: n % 3 ? 'inbound' : 'outbound',
                identity: { kind: 'email', value: `person.${(n * 7919) % STREAMS}@bench.example` },
                content: {
                  subject: 'Order question',
                  text: `Touchpoint ${n}: where is my parcel?`,
                },
              },
              metadata: { occurredAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString() },
            },
          ],
        };
      }),
    );
    if ((i / batch) % 50 === 0) process.stdout.write(`\r  source: ${i + batch} / ${EVENTS}`);
  }
  const head = await store.headPosition();
  await store.close();
  console.log(
    `\r  source: ${head} events in ${((Date.now() - started) / 1000).toFixed(1)} s (SQLite, ${STREAMS} streams)`,
  );
  return head;
}

function migrate(
  from: string,
  to: string,
  cwd: string,
): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'bin/rapport'),
        'migrate-log',
        '--from',
        from,
        '--to',
        to,
        '--batch',
        '2000',
      ],
      {
        cwd,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const lines: string[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        console.log(`  | ${line}`);
      }
    });
    child.on('exit', (code) => resolve({ code, lines: [...lines, buffer] }));
  });
}

async function main(): Promise<void> {
  const postgres = await obtainService('postgres', (l) => console.log(`  ${l}`));
  if (!postgres.ok) throw new Error(`bench:migrate needs PostgreSQL: ${postgres.reason}`);
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-migrate-'));
  const schema = `bench_migrate_${Date.now().toString(36)}`;
  console.log(
    `bench:migrate — ${EVENTS} events, SQLite → PostgreSQL (${postgres.url}, schema ${schema})`,
  );
  try {
    const total = await buildSource(join(dir, 'source.db'));
    const started = Date.now();
    const result = await migrate(
      `sqlite:${join(dir, 'source.db')}`,
      `${postgres.url}?schema=${schema}`,
      dir,
    );
    const seconds = (Date.now() - started) / 1000;
    const verified = result.lines.some((l) => l.startsWith(`verified: ${total} events identical`));
    if (result.code !== 0 || !verified) throw new Error(`migrate-log failed (exit ${result.code})`);
    const copied = /in ([\d.]+) s: (\d+) events\/s/.exec(
      result.lines.find((l) => l.startsWith('copied')) ?? '',
    );
    console.log(
      `migrate: ${total} events SQLite → PostgreSQL at ${copied?.[2]} events/s (copy ${copied?.[1]} s), verified; ${seconds.toFixed(1)} s with verification`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    const client = new Client({ connectionString: postgres.url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
    await postgres.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
