/**
 * bench:tracing — what tracing costs per touchpoint, in CPU, on the services' own code
 * paths in process (no Kafka, Redis or network in the measure: their noise on a shared
 * machine hides a few per cent). Each run is a fresh process (traced-touchpoints.ts) in one
 * of three modes, as an operator would run the services:
 *
 * - off: `OTEL_TRACES_EXPORTER=none` (nothing registered, the default);
 * - sampled: OTLP export, `OTEL_TRACES_SAMPLER=parentbased_traceidratio`, `_ARG` 0.01;
 * - always: OTLP export, `parentbased_always_on` (every touchpoint traced).
 *
 * Each round runs the three side by side, one process each, so that whatever else loads the
 * machine (on a shared machine the same run varies by ±40 % from one minute to the next)
 * falls on all three alike; a mode's overhead is its CPU per touchpoint over the off run's
 * in the same round, the median over `BENCH_TRACING_ROUNDS` (3) rounds.
 * Spans go by OTLP/HTTP to a sink in this process, which counts them (its CPU is not in the
 * measure). Each run times `BENCH_TRACING_TOUCHPOINTS` (30,000) after
 * `BENCH_TRACING_WARM_UP` (10,000): the ingest path, then four projections catching up.
 *
 * Then the ingest path's tracing calls alone (tracing-calls.ts), off and 1 % sampled, one
 * process after the other (`BENCH_TRACING_CALL_ROUNDS`, 3, of each, alternating): nanoseconds
 * per touchpoint, a figure the whole-pipeline runs above cannot resolve from their noise.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROUNDS = Number(process.env.BENCH_TRACING_ROUNDS ?? 3);
const MODES = {
  off: { OTEL_TRACES_EXPORTER: 'none' },
  sampled: {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: process.env.BENCH_TRACES_SAMPLER_ARG ?? '0.01',
  },
  always: { OTEL_TRACES_EXPORTER: 'otlp', OTEL_TRACES_SAMPLER: 'parentbased_always_on' },
} as const;
type Mode = keyof typeof MODES;

interface RunFigures {
  readonly ingestUs: number;
  readonly projectUs: number;
}

/** An OTLP/HTTP receiver that counts the spans it is sent (JSON encoding). */
async function otlpSink() {
  const received = { spans: 0, bytes: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.bytes += body.length;
      const request = JSON.parse(body.toString('utf8')) as {
        resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[];
      };
      for (const rs of request.resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? []) received.spans += ss.spans?.length ?? 0;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

function run(mode: Mode, sinkUrl: string): Promise<RunFigures> {
  return runChild<RunFigures>('traced-touchpoints.ts', mode, sinkUrl);
}

function runChild<T>(script: string, mode: Mode, sinkUrl: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, script)], {
      env: {
        ...process.env,
        OTEL_SDK_DISABLED: 'false',
        OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
        OTEL_TRACES_SAMPLER: '',
        OTEL_TRACES_SAMPLER_ARG: '',
        // Room for every span: with the default queue (2,048) spans are dropped at this rate,
        // and a dropped span costs less than an exported one. The figure is the whole trace's.
        // Exports of 4,096 (not 512) let the last flush after the projections' catch-up, a
        // burst a projector following live appends does not have, within the exporter's 30
        // requests at once.
        OTEL_BSP_MAX_QUEUE_SIZE: '100000',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096',
        ...MODES[mode],
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${mode} run exited with ${code}`));
      const line = out.trim().split('\n').pop() ?? '';
      resolve(JSON.parse(line) as T);
    });
  });
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const sink = await otlpSink();
  const touchpoints = Number(process.env.BENCH_TRACING_TOUCHPOINTS ?? 30_000);
  const warmUp = Number(process.env.BENCH_TRACING_WARM_UP ?? 10_000);
  const order: Mode[] = ['off', 'sampled', 'always'];
  const figures: Record<Mode, RunFigures[]> = { off: [], sampled: [], always: [] };
  console.log(
    `bench:tracing: ${ROUNDS} rounds of off / 1 % sampled / always on side by side, ${touchpoints} touchpoints each after ${warmUp} of warm-up; node ${process.version}; load average ${loadAverage()}`,
  );
  const overheads: Record<Mode, number[]> = { off: [], sampled: [], always: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const before = { ...sink.received };
    const results = await Promise.all(order.map((mode) => run(mode, sink.url)));
    // Only the traced runs export; each traced one's share is told apart by its sampler.
    const spans = (sink.received.spans - before.spans) / (touchpoints + warmUp);
    const offTotal = results[0].ingestUs + results[0].projectUs;
    order.forEach((mode, i) => {
      const result = results[i];
      figures[mode].push(result);
      const total = result.ingestUs + result.projectUs;
      overheads[mode].push(total / offTotal - 1);
      console.log(
        `  round ${round + 1} ${mode.padEnd(7)}: ingest ${result.ingestUs.toFixed(1)} µs/touchpoint, projections ${result.projectUs.toFixed(1)} µs/event, ${mode === 'off' ? '' : `${((total / offTotal - 1) * 100).toFixed(1)} % over off`}`,
      );
    });
    console.log(
      `  round ${round + 1}: ${spans.toFixed(2)} spans exported per touchpoint (both traced runs), load ${loadAverage()}`,
    );
  }
  const of = (mode: Mode) => ({
    ingest: median(figures[mode].map((f) => f.ingestUs)),
    project: median(figures[mode].map((f) => f.projectUs)),
    total: median(figures[mode].map((f) => f.ingestUs + f.projectUs)),
    overhead: median(overheads[mode]) * 100,
  });
  for (const mode of order) {
    const m = of(mode);
    console.log(
      `  median ${mode.padEnd(7)}: ingest ${m.ingest.toFixed(1)} + projections ${m.project.toFixed(1)} = ${m.total.toFixed(1)} µs per touchpoint`,
    );
  }
  const sign = (pct: number) => `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %`;
  const [off, sampled, always] = order.map(of);
  const callRounds = Number(process.env.BENCH_TRACING_CALL_ROUNDS ?? 3);
  const calls: Record<'off' | 'sampled', number[]> = { off: [], sampled: [] };
  for (let round = 0; round < callRounds; round++)
    for (const mode of ['off', 'sampled'] as const)
      calls[mode].push((await runChild<{ ns: number }>('tracing-calls.ts', mode, sink.url)).ns);
  sink.server.close();
  console.log(
    `  ingest path's tracing calls alone: ${median(calls.off).toFixed(0)} ns per touchpoint off, ${median(calls.sampled).toFixed(0)} ns 1 % sampled (runs ${calls.sampled.map((ns) => ns.toFixed(0)).join(', ')}), median of ${callRounds} runs each, alternating; load ${loadAverage()}`,
  );
  console.log(
    `tracing: ${off.total.toFixed(1)} µs per touchpoint off, ${sampled.total.toFixed(1)} µs 1 % sampled (${sign(sampled.overhead)}), ${always.total.toFixed(1)} µs always on (${sign(always.overhead)}); CPU in process, median of ${ROUNDS} rounds side by side`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
