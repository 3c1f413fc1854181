/**
 * `npm run bench:store`: our event stores (SQLite, PostgreSQL) against Emmett's SQLite and
 * PostgreSQL event stores, in one run, on the same workload:
 *
 * - the CPU each side used for its appends, per event: in this Node process, and in the
 *   PostgreSQL backends serving its database (read from /proc when the server runs on this
 *   machine), a figure that the machine's load moves much less than the rates;
 * - the bytes written per append: for SQLite what the process handed to write calls (WAL
 *   frames and checkpoints, from /proc/self/io), for PostgreSQL how far the server's WAL
 *   moved during the side's turns (cluster-wide: another database's writes count too);
 * - append throughput in events/s, one writer awaiting each append, with batches of 1
 *   event and batches of 100 events (an append = one batch to one stream; the appends are
 *   scattered over BENCH_STORE_STREAMS streams, the same way for both sides; the two
 *   sides take turns in rounds, so both meet the same background load);
 * - catch-up rate in events/s: a store opened on the batch-100 log reads it from the
 *   start — ours with `subscribeToAll({ after: 0 })`, Emmett with its consumer (a
 *   processor/reactor from BEGINNING) and, as a second figure, with a plain
 *   `readMessagesBatch` loop (no consumer, no checkpoints), all with pages of the same size.
 *
 * Every store gets a fresh, empty place (a SQLite file in a temporary folder, a PostgreSQL
 * database of its own), removed at the end. PostgreSQL comes from `obtainService`.
 * BENCH_STORE_SINGLE_EVENTS (default 3000), BENCH_STORE_EVENTS (default 20000) and
 * BENCH_STORE_STREAMS (default 1000) size the run.
 *
 * The last lines are one per store of ours, in the form the store issue names, with the
 * batch-of-100 append rate (the batch-of-1 figures are in the table printed above them):
 * `store <name>: append <N> events/s (<R>x emmett; median of rounds <P>x), catch-up <M> events/s`.
 * <R> compares the sums of each side's turns; <P> is the median of the ROUNDS rounds' own
 * ratios (both sides append the same events in a round, minutes apart at most). Appends wait
 * for an fsync each, whose time on these virtual disks swings tenfold from one moment to the
 * next: one stalled turn moves <R>, not <P>.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { median, obtainService } from '@rapport/testing';
import {
  type AppendTarget,
  CATCH_UP_PAGE,
  type CatchUpResult,
  type Contender,
  emmettPostgres,
  emmettSqlite,
  rapportPostgres,
  rapportSqlite,
} from './contenders';
import { type Places, postgresPlaces, sqlitePlaces } from './places';
import { appends, averageDataBytes, type BenchAppend, workloadSizes } from './workload';

interface Engine {
  /** The name of our store in the last lines. */
  readonly name: 'sqlite' | 'postgres';
  readonly emmettPackage: string;
  readonly places: Places;
  readonly rapport: Contender;
  readonly emmett: Contender;
}

/** What one side's appends of a phase took. */
interface AppendRate {
  readonly place: string;
  /** events/s */
  readonly rate: number;
  /** CPU µs per event in this Node process (Emmett's SQLite driver's threads included). */
  readonly nodeCpu: number;
  /** CPU µs per event in the PostgreSQL backends of the side's database; undefined for SQLite or where they cannot be read. */
  readonly serverCpu: number | undefined;
  /** kB written per append (`Places.written`); undefined where it cannot be read. */
  readonly writtenPerAppend: number | undefined;
}

interface SideResult {
  /** Rapport's side only: the median of the rounds' rate ratios, batches of 1 and of 100. */
  readonly roundRatio1?: number;
  readonly roundRatio100?: number;
  /** The phases with batches of 1 and of 100. */
  readonly append1: AppendRate;
  readonly append100: AppendRate;
  readonly catchUp: readonly CatchUpResult[];
}

interface EngineResult {
  readonly engine: Engine;
  readonly rapport: SideResult;
  readonly emmett: SideResult;
}

const rate = (events: number, seconds: number) => events / seconds;
/** CPU per event of a side, e.g. `node 11.2 + postgres 14.0 = 25.2`. */
const totalCpu = (r: AppendRate) => r.nodeCpu + (r.serverCpu ?? 0);
const cpuText = (r: AppendRate) =>
  r.serverCpu === undefined
    ? `node ${r.nodeCpu.toFixed(1)}`
    : `node ${r.nodeCpu.toFixed(1)} + postgres ${r.serverCpu.toFixed(1)} = ${totalCpu(r).toFixed(1)}`;
const fmt = (n: number) => String(Math.round(n));
const ratio = (ours: number, theirs: number) => (ours / theirs).toFixed(2);

/** The version of an installed package (its `exports` do not offer `package.json`). */
function packageVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  for (let i = 0; i < 4; i += 1, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === name) return `${name}@${pkg.version}`;
    } catch {
      // not here: one folder up
    }
  }
  return name;
}

/** Rounds of an append phase: the two sides take turns, so both see the same machine. */
const ROUNDS = 10;

type Side = 'rapport' | 'emmett';

/**
 * Appends the list to a fresh store of each side, one append at a time, each awaited.
 * The list is cut into ROUNDS slices; each side appends a slice in turn (who goes first
 * alternates), so a slow moment of the machine (another process's fsyncs, a PostgreSQL
 * checkpoint) hits both sides alike. The clocks cover the appends only.
 */
async function measureAppends(
  engine: Engine,
  label: string,
  list: readonly BenchAppend[],
): Promise<Record<Side, AppendRate> & { roundRatio: number }> {
  const contenders: Record<Side, Contender> = { rapport: engine.rapport, emmett: engine.emmett };
  const places = {} as Record<Side, string>;
  const targets = {} as Record<Side, AppendTarget>;
  const seconds: Record<Side, number> = { rapport: 0, emmett: 0 };
  /** Each side's seconds per round, for the rounds' paired ratios. */
  const perRound: Record<Side, number[]> = { rapport: [], emmett: [] };
  const nodeCpuMs: Record<Side, number> = { rapport: 0, emmett: 0 };
  const serverCpuMs: Record<Side, number | undefined> = { rapport: 0, emmett: 0 };
  const written: Record<Side, number | undefined> = { rapport: 0, emmett: 0 };
  try {
    for (const side of ['rapport', 'emmett'] as const) {
      places[side] = await engine.places.create(`${label.replace(/\W+/g, '')}_${side}`);
      targets[side] = await contenders[side].open(places[side]);
    }
    await engine.places.settle();
    const slice = Math.ceil(list.length / ROUNDS);
    for (let round = 0; round < ROUNDS; round += 1) {
      const appendsOfRound = list.slice(round * slice, (round + 1) * slice);
      const order: Side[] = round % 2 === 0 ? ['rapport', 'emmett'] : ['emmett', 'rapport'];
      for (const side of order) {
        // CPU read outside the clock: backends by pid before and after the turn (a backend
        // that connected during the turn counts from its start).
        const serverBefore = await engine.places.serverCpu(places[side]);
        const writtenBefore = await engine.places.written();
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        for (const append of appendsOfRound)
          await targets[side].append(append.streamId, append.events);
        const took = (performance.now() - started) / 1000;
        seconds[side] += took;
        perRound[side].push(took);
        const cpu = process.cpuUsage(cpuBefore);
        nodeCpuMs[side] += (cpu.user + cpu.system) / 1000;
        const writtenAfter = await engine.places.written();
        const serverAfter = await engine.places.serverCpu(places[side]);
        written[side] =
          writtenBefore === undefined || writtenAfter === undefined || written[side] === undefined
            ? undefined
            : written[side] + writtenAfter - writtenBefore;
        if (!serverBefore || !serverAfter) serverCpuMs[side] = undefined;
        else if (serverCpuMs[side] !== undefined)
          for (const [pid, ms] of serverAfter)
            serverCpuMs[side] = serverCpuMs[side]! + ms - (serverBefore.get(pid) ?? 0);
      }
    }
  } finally {
    for (const target of Object.values(targets)) await target.close();
  }
  const events = list.reduce((sum, a) => sum + a.events.length, 0);
  const result = {} as Record<Side, AppendRate> & { roundRatio: number };
  for (const side of ['rapport', 'emmett'] as const) {
    const server = serverCpuMs[side];
    result[side] = {
      place: places[side],
      rate: rate(events, seconds[side]),
      nodeCpu: (nodeCpuMs[side] * 1000) / events,
      serverCpu: server === undefined ? undefined : (server * 1000) / events,
      writtenPerAppend:
        written[side] === undefined ? undefined : written[side] / 1024 / list.length,
    };
    const r = result[side];
    console.log(
      `  ${engine.name.padEnd(8)} ${label.padEnd(9)} ${side.padEnd(7)} ${String(events).padStart(6)} events in ${String(list.length).padStart(5)} appends: ${seconds[side].toFixed(2).padStart(6)} s = ${fmt(r.rate).padStart(7)} events/s; CPU µs/event: ${cpuText(r)}${r.writtenPerAppend === undefined ? '' : `; ${r.writtenPerAppend.toFixed(0)} kB written per append`}`,
    );
  }
  // Both sides append the same events in a round, so the ratio of their times is the ratio of
  // their rates over the same minute of the machine; the median of the rounds' ratios is not
  // carried by one round in which an fsync stalled, as the sums above are.
  const ratios = perRound.rapport.map((ours, i) => perRound.emmett[i] / ours);
  result.roundRatio = median(ratios);
  console.log(
    `  ${engine.name.padEnd(8)} ${label.padEnd(9)} rate ratio by round (rapport / emmett): ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${result.roundRatio.toFixed(2)}x`,
  );
  return result;
}

async function measureCatchUp(
  engine: Engine,
  contender: Contender,
  place: string,
  expected: number,
): Promise<CatchUpResult[]> {
  await engine.places.settle();
  const results = await contender.catchUp(place, expected);
  for (const r of results)
    console.log(
      `  ${engine.name.padEnd(8)} catch-up  ${contender.side.padEnd(7)} ${String(r.events).padStart(6)} events: ${r.seconds.toFixed(2).padStart(6)} s = ${fmt(rate(r.events, r.seconds)).padStart(7)} events/s  ${r.method}`,
    );
  return results;
}

async function measureEngine(
  engine: Engine,
  single: readonly BenchAppend[],
  batched: readonly BenchAppend[],
  logEvents: number,
): Promise<EngineResult> {
  const b1 = await measureAppends(engine, 'batch 1', single);
  const b100 = await measureAppends(engine, 'batch 100', batched);
  const rCatchUp = await measureCatchUp(engine, engine.rapport, b100.rapport.place, logEvents);
  const eCatchUp = await measureCatchUp(engine, engine.emmett, b100.emmett.place, logEvents);
  return {
    engine,
    rapport: {
      append1: b1.rapport,
      append100: b100.rapport,
      catchUp: rCatchUp,
      roundRatio1: b1.roundRatio,
      roundRatio100: b100.roundRatio,
    },
    emmett: { append1: b1.emmett, append100: b100.emmett, catchUp: eCatchUp },
  };
}

function printSummary(results: readonly EngineResult[]): void {
  console.log('');
  console.log(
    `  ${'events/s'.padEnd(18)} ${'append b1'.padStart(10)} ${'append b100'.padStart(12)} ${'catch-up'.padStart(9)}`,
  );
  for (const { engine, rapport, emmett } of results) {
    for (const [side, r] of [
      ['rapport', rapport],
      ['emmett', emmett],
    ] as const) {
      r.catchUp.forEach((c, i) =>
        console.log(
          `  ${(i === 0 ? `${engine.name} ${side}` : '').padEnd(18)} ${(i === 0 ? fmt(r.append1.rate) : '').padStart(10)} ${(i === 0 ? fmt(r.append100.rate) : '').padStart(12)} ${fmt(rate(c.events, c.seconds)).padStart(9)}  ${c.method}`,
        ),
      );
    }
    console.log(
      `  ${`${engine.name} ratio`.padEnd(18)} ${`${ratio(rapport.append1.rate, emmett.append1.rate)}x`.padStart(10)} ${`${ratio(rapport.append100.rate, emmett.append100.rate)}x`.padStart(12)}   (rapport / emmett, by total time)`,
    );
    console.log(
      `  ${`${engine.name} by round`.padEnd(18)} ${`${(rapport.roundRatio1 ?? Number.NaN).toFixed(2)}x`.padStart(10)} ${`${(rapport.roundRatio100 ?? Number.NaN).toFixed(2)}x`.padStart(12)}   (rapport / emmett, median of the rounds' ratios)`,
    );
    console.log(
      `  ${`${engine.name} CPU ratio`.padEnd(18)} ${`${ratio(totalCpu(emmett.append1), totalCpu(rapport.append1))}x`.padStart(10)} ${`${ratio(totalCpu(emmett.append100), totalCpu(rapport.append100))}x`.padStart(12)}   (emmett / rapport, CPU µs per event${rapport.append1.serverCpu === undefined ? ' in Node' : ' in Node and PostgreSQL'})`,
    );
  }
  console.log('');
}

async function main(): Promise<void> {
  const sizes = workloadSizes();
  const single = appends(sizes.singleEvents, 1, sizes.streams);
  const batched = appends(sizes.batchEvents, sizes.batchSize, sizes.streams, sizes.singleEvents);
  const postgres = await obtainService('postgres', (line) => console.log(`  ${line}`));
  if (!postgres.ok) throw new Error(`bench:store needs PostgreSQL: ${postgres.reason}`);
  const run = `rapport_bench_store_${Date.now().toString(36)}`;
  const engines: Engine[] = [];
  const cleanup = async () => {
    for (const engine of engines.splice(0)) await engine.places.cleanup().catch(() => undefined);
    await postgres.stop();
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  engines.push(
    {
      name: 'sqlite',
      emmettPackage: packageVersion('@event-driven-io/emmett-sqlite'),
      places: sqlitePlaces(),
      rapport: rapportSqlite,
      emmett: emmettSqlite,
    },
    {
      name: 'postgres',
      emmettPackage: packageVersion('@event-driven-io/emmett-postgresql'),
      places: await postgresPlaces(postgres.url, run),
      rapport: rapportPostgres,
      emmett: emmettPostgres,
    },
  );
  console.log(
    `bench:store — Rapport's event stores against Emmett's (${engines.map((e) => e.emmettPackage).join(', ')})`,
  );
  console.log(
    `  batch 1:   ${sizes.singleEvents} events, ${single.length} appends of 1 event, into a fresh store per side`,
  );
  console.log(
    `  batch 100: ${sizes.batchEvents} events, ${batched.length} appends of ${sizes.batchSize} events, into a fresh store per side`,
  );
  console.log(
    `  the sides take turns in ${ROUNDS} rounds of each append phase (who goes first alternates); each side's time is the sum of its turns, and each round's two times give a rate ratio (their median is printed beside the ratio of the sums)`,
  );
  console.log(
    `  each append goes to one stream, customer-<k> with k = (append number × 7919) mod ${sizes.streams}: appends spread over ${sizes.streams} streams, the same on both sides; one writer, each append awaited, no expected-revision check; event data ≈ ${averageDataBytes(batched)} bytes of JSON`,
  );
  console.log(
    `  catch-up:  the batch-100 log (${sizes.batchEvents} events) read from the start by a newly opened store, pages of ${CATCH_UP_PAGE}; the clock stops when the handler has the last event. Emmett's consumer stores a checkpoint per event; ours does not checkpoint (the caller does)`,
  );
  console.log(
    `  SQLite: files in ${engines[0].places.where}; PostgreSQL (${postgres.origin}): databases ${engines[1].places.where}`,
  );

  const results: EngineResult[] = [];
  try {
    for (const engine of engines)
      results.push(await measureEngine(engine, single, batched, sizes.batchEvents));
  } finally {
    await cleanup();
  }
  printSummary(results);
  for (const { engine, rapport, emmett } of results) {
    const catchUp = rapport.catchUp[0];
    console.log(
      `store ${engine.name}: append ${fmt(rapport.append100.rate)} events/s (${ratio(rapport.append100.rate, emmett.append100.rate)}x emmett; median of rounds ${(rapport.roundRatio100 ?? Number.NaN).toFixed(2)}x), catch-up ${fmt(rate(catchUp.events, catchUp.seconds))} events/s`,
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
