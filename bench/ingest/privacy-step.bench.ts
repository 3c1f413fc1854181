/**
 * `node -r @swc-node/register bench/ingest/privacy-step.bench.ts`: what personal data protection costs the ingestor and the
 * projector per touchpoint, in process, in CPU microseconds (issue 18). The same touchpoints
 * as `bench:ingest` (BENCH_TOUCHPOINTS, default 20000; BENCH_IDENTITIES, default 5000) are
 * ingested by `TouchpointIngestion` into a SQLite log file (as the ingestor does, in batches
 * of BENCH_BATCH, default 500), then read back in pages of 500 with every touchpoint opened
 * (as the timeline's subscription does), with protection off and on, interleaved A B A B …
 * for BENCH_ROUNDS rounds (default 5); medians are printed. BENCH_SEAL_FORMATS (default 2)
 * names the sealed formats measured with protection on: `1,2` runs off, v1 and v2 in turn
 * (ADR 0050). Nothing is asserted: figures are printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { LogSuppressionList, TouchpointIngestion } from '@rapport/application';
import { type EventStore, openEventStore, type RecordedEvent } from '@rapport/event-store';
import {
  openPersonalData,
  type PersonalData,
  type PrivacySettings,
  type SealFormat,
} from '@rapport/privacy';
import { median } from '@rapport/testing';
import { touchpointEvents } from './workload';

const N = Number(process.env.BENCH_TOUCHPOINTS ?? 20_000);
const IDENTITIES = Number(process.env.BENCH_IDENTITIES ?? 5_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const FORMATS = (process.env.BENCH_SEAL_FORMATS ?? '2')
  .split(',')
  .map((f) => Number(f) as SealFormat);
/** Protection off, or on with appends sealed in one format. */
type Mode = 'off' | SealFormat;
const modeName = (mode: Mode) => (mode === 'off' ? 'off' : `v${mode}`);

/** The touchpoints of `bench:ingest`, as the Kafka transport hands them over (JSON text). */
const workload = (run: string): string[] => touchpointEvents(run, N, IDENTITIES);

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

interface Figures {
  /** CPU µs per touchpoint. */
  readonly ingest: number;
  readonly read: number;
}

async function oneRun(mode: Mode, settings: PrivacySettings, run: string) {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-privacy-step-'));
  const url = `sqlite:${join(dir, 'log.db')}`;
  const raw = await openEventStore(url);
  let personalData: PersonalData | undefined;
  let store: EventStore = raw;
  if (mode !== 'off') {
    personalData = await openPersonalData({ ...settings, sealFormat: mode }, url);
    store = personalData.protect(raw);
  }
  const ingestion = new TouchpointIngestion(store, {
    now: () => new Date('2026-06-01T00:00:00Z'),
    ...(personalData
      ? { hashIdentity: personalData.hashIdentity, suppression: new LogSuppressionList(store) }
      : {}),
  });
  const inputs = workload(run);
  try {
    let started = cpuMicros();
    for (let i = 0; i < inputs.length; i += BATCH) {
      const batch = inputs.slice(i, i + BATCH).map((text) => JSON.parse(text) as unknown);
      const results = await ingestion.ingest(batch, UNRESTRICTED_SCOPE);
      const refused = results.find((r) => r.status !== 'accepted');
      if (refused) throw new Error(`not accepted: ${JSON.stringify(refused)}`);
    }
    const ingest = (cpuMicros() - started) / N;
    // A reader that opens every touchpoint (the timeline's subscription), in pages.
    started = cpuMicros();
    let after = 0;
    let texts = 0;
    for (;;) {
      const page: RecordedEvent[] = await store.readAll({ after, maxCount: 500 });
      if (page.length === 0) break;
      for (const event of page)
        if (typeof (event.data as { content: { text: unknown } }).content.text === 'string')
          texts += 1;
      after = page[page.length - 1].position;
    }
    const read = (cpuMicros() - started) / N;
    if (texts !== N) throw new Error(`read ${texts} texts of ${N}`);
    return { ingest, read } satisfies Figures;
  } finally {
    await store.close();
    await personalData?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const settings: PrivacySettings = {
    masterKey: randomBytes(32).toString('base64'),
    pepper: randomBytes(32).toString('base64'),
  };
  console.log(
    `privacy-step — ${N} touchpoints, ${IDENTITIES} identities, batches of ${BATCH}, ${ROUNDS} rounds (load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})`,
  );
  const modes: Mode[] = ['off', ...FORMATS];
  // Untimed warm-up of every path (JIT).
  for (const mode of modes) await oneRun(mode, settings, `warm-${modeName(mode)}`);
  const figures = new Map<Mode, Figures[]>(modes.map((mode) => [mode, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // The modes in turn, each round starting one further: none always runs first.
    for (let i = 0; i < modes.length; i++) {
      const mode = modes[(round + i) % modes.length];
      const run = await oneRun(mode, settings, `r${round}-${modeName(mode)}`);
      figures.get(mode)?.push(run);
      console.log(
        `  round ${round + 1} ${modeName(mode).padEnd(3)}: ingest ${run.ingest.toFixed(1)} µs, read ${run.read.toFixed(1)} µs CPU per touchpoint`,
      );
    }
  }
  const medianOf = (mode: Mode, side: keyof Figures) =>
    median((figures.get(mode) ?? []).map((f) => f[side]));
  const ingestOff = medianOf('off', 'ingest');
  const readOff = medianOf('off', 'read');
  for (const format of FORMATS) {
    const ingestOn = medianOf(format, 'ingest');
    const readOn = medianOf(format, 'read');
    console.log(
      `  medians v${format}: ingest ${ingestOff.toFixed(1)} → ${ingestOn.toFixed(1)} µs (+${(ingestOn - ingestOff).toFixed(1)}), read ${readOff.toFixed(1)} → ${readOn.toFixed(1)} µs (+${(readOn - readOff).toFixed(1)})`,
    );
    console.log(
      `privacy-step v${format}: +${(ingestOn - ingestOff).toFixed(1)} µs ingest, +${(readOn - readOff).toFixed(1)} µs read CPU per touchpoint with protection on`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
