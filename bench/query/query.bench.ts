/**
 * `npm run bench:query`: the query API under load — the timeline's first page, a filtered
 * page that matches nothing (`?type=zzz`), a profile and the top 100 by closeness, at 50 and
 * 200 concurrent connections (autocannon) — against, in the same run, a bare `node:http`
 * server answering the same reads through the same read models (`minimal-server.ts`).
 *
 * The data is real: demo touchpoints published through the adapter SDK to Kafka, ingested
 * and projected into Redis by the ingestor and projector processes (personal data protection
 * on, as by default), which are stopped before the load; the query API then runs alone, as
 * its own process, with a staff token from a test issuer. Each server gets an untimed
 * warm-up; requests rotate over the customers. `GET /v1/ideas` is measured on the API only.
 *
 * BENCH_QUERY_CUSTOMERS (default 400) sizes the data, BENCH_QUERY_SECONDS (default 10) each
 * measurement; BENCH_QUERY_ONLY (a regular expression over the endpoints' names) and BENCH_QUERY_CONNECTIONS
 * (`50,200`) narrow a run, e.g. to profile one endpoint (RAPPORT_CPU_PROFILE_DIR, which profiles
 * the minimal server too). BENCH_QUERY_ROUNDS (default 1) measures each server that many times
 * per endpoint, in turn. Ends with `query: …` — p99 at 200 connections and throughput as ratios to the
 * minimal server's, for the worst of the shared endpoints.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { TouchpointPublisher, type TouchpointInput } from '@rapport/adapter-sdk';
import { provisionTopics, kafkaFromUrl, redactBusUrl, removeTopics } from '@rapport/messaging';
import {
  demoTouchpoints,
  ensureTestPrivacyEnv,
  eventually,
  median,
  obtainService,
  processCpuSeconds,
  REPO_ROOT,
  type RunningProcess,
  startProcess,
  startService,
  TestIssuer,
} from '@rapport/testing';
import Redis from 'ioredis';
import { longTimeline, longTimelineIdentity, seedIdeas } from './large-workloads';

const CUSTOMERS = Number(process.env.BENCH_QUERY_CUSTOMERS ?? 400);
const SECONDS = Number(process.env.BENCH_QUERY_SECONDS ?? 10);
const CONNECTIONS = (process.env.BENCH_QUERY_CONNECTIONS ?? '50,200').split(',').map(Number);
/**
 * Measurements of each server per endpoint, taken in turn (odd rounds backwards); figures are
 * medians over them, each ratio the median of the rounds' ratios. One by default.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_QUERY_ROUNDS ?? 1));
/**
 * Another checkout of the repository (e.g. `git archive <rev> | tar -x -C <dir>`, with
 * node_modules linked): its query API is measured too, in turn with this one's, on the same data.
 */
const COMPARE = process.env.BENCH_QUERY_COMPARE ?? '';
/** Only the endpoints whose name this regular expression finds (all by default): for profiling one. */
const ONLY = new RegExp(process.env.BENCH_QUERY_ONLY ?? '');
/** The long timeline's length, and the backlog's size (idea i gets i mod (votes + 1) supporters). */
const LONG_TIMELINE = Number(process.env.BENCH_QUERY_LONG_TIMELINE ?? 5000);
const IDEAS = Number(process.env.BENCH_QUERY_IDEAS ?? 2000);
const IDEA_VOTES = Number(process.env.BENCH_QUERY_IDEA_VOTES ?? 12);

interface Endpoint {
  readonly name: string;
  /** The query API's path for a customer id, and the minimal server's (none: API only). */
  readonly api: (id: string) => string;
  readonly minimal?: (id: string) => string;
  /** Asked for the long timeline's customer only, instead of rotating over the customers. */
  readonly longTimeline?: true;
  /** Also measured with one connection: a request's own cost, without queueing. */
  readonly alone?: true;
  /** Asked only for the customers that have a profile (others would answer 404). */
  readonly profiled?: true;
}

const ENDPOINTS: Endpoint[] = [
  {
    name: 'timeline, first page',
    api: (id) => `/v1/customers/${id}/timeline`,
    minimal: (id) => `/timeline/${id}`,
  },
  {
    name: 'timeline, ?type=zzz',
    api: (id) => `/v1/customers/${id}/timeline?type=zzz`,
    minimal: (id) => `/timeline/${id}?type=zzz`,
  },
  {
    name: 'profile',
    api: (id) => `/v1/customers/${id}`,
    minimal: (id) => `/profile/${id}`,
    profiled: true,
  },
  { name: 'top 100', api: () => '/v1/closeness/top?limit=100', minimal: () => '/top' },
  {
    name: `timeline ${LONG_TIMELINE}, ?type=zzz`,
    api: (id) => `/v1/customers/${id}/timeline?type=zzz`,
    minimal: (id) => `/timeline/${id}?type=zzz`,
    longTimeline: true,
    alone: true,
  },
  {
    name: `timeline ${LONG_TIMELINE}, ?channel=web`,
    api: (id) => `/v1/customers/${id}/timeline?channel=web&direction=outbound`,
    longTimeline: true,
    alone: true,
  },
  { name: `ideas (${IDEAS}), count`, api: () => '/v1/ideas?limit=20', alone: true },
  {
    name: `ideas (${IDEAS}), newest`,
    api: () => '/v1/ideas?limit=20&sort=newest&status=new',
    alone: true,
  },
  {
    name: `ideas (${IDEAS}), closeness`,
    api: () => '/v1/ideas?limit=20&priority=closeness',
    alone: true,
  },
];

interface Figures {
  readonly p50: number;
  readonly p99: number;
  readonly rps: number;
  /** Answers other than 2xx, and requests that got no answer (timeouts, resets). */
  readonly non2xx: number;
  readonly errors: number;
  /** CPU seconds the server process used during the measurement (user + system). */
  readonly cpu: number;
  readonly requests: number;
}

/**
 * One server's figures over the rounds: the medians of its latencies and throughput, its CPU
 * and requests summed (so the CPU per request is over every round), its failures summed.
 */
function overRounds(runs: readonly Figures[]): Figures {
  const sum = (pick: (f: Figures) => number) => runs.reduce((total, f) => total + pick(f), 0);
  return {
    p50: median(runs.map((f) => f.p50)),
    p99: median(runs.map((f) => f.p99)),
    rps: median(runs.map((f) => f.rps)),
    non2xx: sum((f) => f.non2xx),
    errors: sum((f) => f.errors),
    cpu: sum((f) => f.cpu),
    requests: sum((f) => f.requests),
  };
}

/** One autocannon run: `connections` clients for `seconds`, paths rotating over the customers. */
async function load(
  server: { url: string; pid: number },
  paths: readonly string[],
  connections: number,
  seconds: number,
  headers: Record<string, string>,
): Promise<Figures> {
  const url = server.url;
  const cpuBefore = processCpuSeconds(server.pid);
  let next = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers,
    requests: [
      {
        setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }),
      },
    ],
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    non2xx: result.non2xx,
    errors: result.errors,
    cpu: processCpuSeconds(server.pid) - cpuBefore,
    requests: result.requests.total,
  };
}

/** Demo touchpoints through the SDK, ingested and projected; returns when Redis holds them all. */
async function loadData(
  kafkaUrl: string,
  env: Record<string, string>,
  run: string,
  staff: Record<string, string>,
) {
  const now = new Date();
  const events = demoTouchpoints({ customers: CUSTOMERS, days: 365, now, seed: 21 });
  const services = await Promise.all([
    startService('ingestor', env),
    startService('projector', env),
  ]);
  const publisher = new TouchpointPublisher({
    kafkaUrl,
    topicPrefix: env.RAPPORT_TOPIC_PREFIX,
    clientId: 'bench-query',
    source: 'bench/query',
  });
  await publisher.connect();
  const inputs: TouchpointInput[] = events.map(
    ({ id, time, type, data }) => ({ id, time, type, data }) as unknown as TouchpointInput,
  );
  inputs.push(...longTimeline(run, LONG_TIMELINE, now));
  for (let i = 0; i < inputs.length; i += 2000)
    await publisher.publishBatch(inputs.slice(i, i + 2000));
  await publisher.disconnect();
  const ideaCommands = await seedIdeas(services[0].url, staff, IDEAS, IDEA_VOTES);
  const head = async () =>
    ((await (await fetch(`${services[0].url}/health`)).json()) as { log: { head: number } }).log
      .head;
  // Every touchpoint in the log, then every projection past the log's head.
  await eventually(head, (h) => h >= inputs.length + IDEAS, 600_000, 200);
  const logHead = await eventually(
    async () => [await head(), await head()],
    ([a, b]) => a === b,
    60_000,
    1000,
  );
  // The projector's own account of its positions (not its Redis keys, whose names may change).
  const checkpoints = async () => {
    const health = (await (await fetch(`${services[1].url}/health`)).json()) as {
      projections: { name: string; position: number }[];
    };
    return ['timeline', 'ideas'].map(
      (n) => health.projections.find((p) => p.name === n)?.position ?? 0,
    );
  };
  const caughtUp = await eventually(
    checkpoints,
    (c) => c.every((p) => p >= logHead[0]),
    600_000,
    200,
  );
  if (!caughtUp.every((p) => p >= logHead[0]))
    throw new Error(`the projections did not reach ${logHead[0]}: ${caughtUp.join(', ')}`);
  await Promise.all(services.map((s) => s.stop()));
  return { touchpoints: inputs.length, ideaCommands, logHead: logHead[0] };
}

/** The query API of another checkout, started as `startService` starts this one's. */
function startQueryApiOf(dir: string, env: Record<string, string>): Promise<RunningProcess> {
  const script = join(dir, 'bin/rapport-service');
  const words = readFileSync(script, 'utf8').split('\n', 1)[0].split(/\s+/);
  return startProcess({
    args: [...words.slice(words.indexOf('node') + 1), script, 'query-api'],
    env: { RAPPORT_PORT: '0', ...env },
  });
}

const ms = (n: number) => `${n.toFixed(1)} ms`.padStart(9);
/** The server's CPU per request: comparable across runs on a loaded machine, unlike latency. */
const cpuPerRequest = (f: Figures) =>
  f.requests > 0
    ? `${((1e6 * f.cpu) / f.requests).toFixed(0).padStart(6)} µs CPU/req`
    : `${f.cpu.toFixed(1)} s CPU, no answer`;

/** What did not get a 2xx answer, if anything. */
const failures = (f: Figures) =>
  f.non2xx || f.errors ? ` (${f.non2xx} non-2xx, ${f.errors} errors)` : '';

/** Waits until a server answers again: requests queued by a measurement must not slow the next. */
async function settle(url: string): Promise<void> {
  await eventually(
    async () => {
      try {
        return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(60_000) })).status;
      } catch {
        return 0;
      }
    },
    (status) => status > 0,
    600_000,
    500,
  );
}

async function main(): Promise<void> {
  ensureTestPrivacyEnv();
  const log = (line: string) => console.log(`  ${line}`);
  const kafka = await obtainService('kafka', log);
  const redis = await obtainService('redis', log);
  if (!kafka.ok || !redis.ok)
    throw new Error(
      `bench:query needs Kafka and Redis: ${[kafka, redis].map((s) => (s.ok ? 'ok' : s.reason)).join('; ')}`,
    );
  const run = `benchq${Date.now().toString(36)}`;
  const prefix = `rapport:bench:${run}:`;
  const topicPrefix = `${run}.`;
  await provisionTopics(kafkaFromUrl(kafka.url, 'bench-admin'), topicPrefix);
  const issuer = await TestIssuer.start();
  const env = {
    ...issuer.env(),
    RAPPORT_BUS: `${kafka.url}?topicPrefix=${topicPrefix}`,
    RAPPORT_TOPIC_PREFIX: topicPrefix,
    PREFIX: prefix,
    RAPPORT_EVENT_STORE: `sqlite:${join(mkdtempSync(join(tmpdir(), 'rapport-benchq-')), 'log.db')}`,
    RAPPORT_READ_MODELS: `${redis.url}/0?prefix=${prefix}`,
    RAPPORT_INGESTOR_GROUP: `${run}-ingestor`,
    // The load comes from one principal: the API's shared rate limit at its highest setting.
    RAPPORT_RATE_LIMIT: '1000000',
  };
  console.log(
    `bench:query — ${CUSTOMERS} demo customers, ${SECONDS} s per measurement, connections ${CONNECTIONS.join(' and ')} (Kafka ${redactBusUrl(kafka.url)}, Redis ${redis.url})`,
  );
  const servers: RunningProcess[] = [];
  try {
    const staff = {
      authorization: `Bearer ${await issuer.token({ subject: 'bench-staff', roles: ['agent'], expiresIn: 7200 })}`,
    };
    const data = await loadData(kafka.url, env, run, staff);
    console.log(
      `  data: ${data.touchpoints} touchpoints (one customer with ${LONG_TIMELINE}) and ${data.ideaCommands} idea commands (${IDEAS} ideas) ingested and projected (log head ${data.logHead})`,
    );
    const api = await startService('query-api', env);
    servers.push(api);
    const compared = COMPARE ? await startQueryApiOf(COMPARE, env) : null;
    if (compared) servers.push(compared);
    // Profiled as the services are (RAPPORT_CPU_PROFILE_DIR), to compare the two.
    const profile = process.env.RAPPORT_CPU_PROFILE_DIR;
    const minimal = await startProcess({
      args: [
        ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
        '-r',
        '@swc-node/register',
        join(REPO_ROOT, 'bench/query/minimal-server.ts'),
      ],
      env: { ...process.env, ...env },
    });
    servers.push(minimal);
    const top = (await (
      await fetch(`${api.url}/v1/closeness/top?limit=1000`, { headers: staff })
    ).json()) as { items: { customerId: string }[] };
    const ids = top.items.map((c) => c.customerId);
    if (ids.length < 10) throw new Error(`only ${ids.length} customers in the ranking`);
    const found = await fetch(`${api.url}/v1/customers/lookup`, {
      method: 'POST',
      headers: { ...staff, 'content-type': 'application/json' },
      body: JSON.stringify({ identity: longTimelineIdentity(run) }),
    });
    if (!found.ok) throw new Error(`the long timeline's customer: ${found.status}`);
    const longId = ((await found.json()) as { customerId: string }).customerId;
    // A ranked id may have no profile of its own (merged into another customer): left out
    // of the profile's requests, which would otherwise measure 404s.
    const profiled: string[] = [];
    for (const id of ids)
      if ((await fetch(`${api.url}/v1/customers/${id}`, { headers: staff })).ok) profiled.push(id);
    console.log(`  profiles: ${profiled.length} of the ${ids.length} ranked customers have one`);
    for (const [url, path, headers] of [
      [api, ENDPOINTS[0].api, staff],
      ...(compared ? ([[compared, ENDPOINTS[0].api, staff]] as const) : []),
      [minimal, ENDPOINTS[0].minimal!, {}],
    ] as const)
      await load(url, ids.map(path), 50, 3, headers); // warm-up, untimed
    const rows: string[] = [];
    const worst = { p99: 0, rps: Number.POSITIVE_INFINITY };
    /** Measurements in which a server answered nothing: no ratio can be taken from them. */
    const unanswered: string[] = [];
    for (const endpoint of ENDPOINTS.filter((e) => ONLY.test(e.name)))
      for (const connections of endpoint.alone ? [1, ...CONNECTIONS] : CONNECTIONS) {
        const customers = endpoint.longTimeline ? [longId] : endpoint.profiled ? profiled : ids;
        const measured: {
          server: RunningProcess;
          paths: string[];
          headers: Record<string, string>;
          runs: Figures[];
        }[] = [
          {
            server: api,
            paths: customers.map(endpoint.api),
            headers: staff,
            runs: [] as Figures[],
          },
          ...(compared
            ? [{ server: compared, paths: customers.map(endpoint.api), headers: staff, runs: [] }]
            : []),
          ...(endpoint.minimal
            ? [{ server: minimal, paths: customers.map(endpoint.minimal), headers: {}, runs: [] }]
            : []),
        ];
        // Rounds in turn, odd ones backwards (A B, B A, …): a slow half-minute of the
        // machine falls on both servers rather than on one.
        for (let round = 0; round < ROUNDS; round++)
          for (const m of round % 2 === 0 ? measured : [...measured].reverse()) {
            await settle(m.server.url);
            m.runs.push(await load(m.server, m.paths, connections, SECONDS, m.headers));
          }
        const [onApi, onCompared] = [measured[0], compared ? measured[1] : undefined].map(
          (m) => m && overRounds(m.runs),
        );
        const minimalRuns = endpoint.minimal ? measured[measured.length - 1].runs : null;
        const onMinimal = minimalRuns && overRounds(minimalRuns);
        const label = `  ${endpoint.name.padEnd(28)} ${String(connections).padStart(3)} conn`;
        if (onCompared)
          console.log(
            `${label}  compared p50 ${ms(onCompared.p50)} p99 ${ms(onCompared.p99)} ${Math.round(onCompared.rps).toString().padStart(6)} req/s ${cpuPerRequest(onCompared)}${failures(onCompared)}`,
          );
        // Per round, API against minimal: the ratios are the medians of these.
        const p99Ratios = minimalRuns?.map((m, i) => measured[0].runs[i].p99 / m.p99) ?? [];
        const rpsRatios = minimalRuns?.map((m, i) => measured[0].runs[i].rps / m.rps) ?? [];
        const perRound = (ratios: number[]) =>
          ROUNDS > 1 ? ` (${ratios.map((r) => r.toFixed(2)).join(', ')})` : '';
        const ratio = onMinimal
          ? `  p99 ${median(p99Ratios).toFixed(2)}x${perRound(p99Ratios)}, throughput ${median(rpsRatios).toFixed(2)}x${perRound(rpsRatios)}`
          : '';
        rows.push(
          `${label}  API p50 ${ms(onApi!.p50)} p99 ${ms(onApi!.p99)} ${Math.round(onApi!.rps).toString().padStart(6)} req/s ${cpuPerRequest(onApi!)}${failures(onApi!)}` +
            (onMinimal
              ? ` | minimal p50 ${ms(onMinimal.p50)} p99 ${ms(onMinimal.p99)} ${Math.round(onMinimal.rps).toString().padStart(6)} req/s ${cpuPerRequest(onMinimal)}${failures(onMinimal)}${ratio}`
              : ''),
        );
        console.log(rows[rows.length - 1]);
        // The summary keeps to the endpoints it always had, rotating over the customers.
        if (onMinimal && connections === 200 && !endpoint.longTimeline) {
          if (onApi!.requests === 0 || onMinimal.requests === 0) unanswered.push(endpoint.name);
          else {
            worst.p99 = Math.max(worst.p99, median(p99Ratios));
            worst.rps = Math.min(worst.rps, median(rpsRatios));
          }
        }
      }
    console.log(
      `  load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    );
    console.log(
      `query: at 200 connections, worst endpoint p99 ${worst.p99.toFixed(2)}x and throughput ${worst.rps.toFixed(2)}x of the minimal server's (targets ≤ 3x, ≥ 0.5x)${unanswered.length ? `; no answer within the measurement, left out: ${unanswered.join(', ')}` : ''}`,
    );
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await issuer.close();
    const client = new Redis(redis.url);
    const keys = await client.keys(`${prefix}*`);
    if (keys.length) await client.unlink(...keys);
    client.disconnect();
    await removeTopics(kafkaFromUrl(kafka.url, 'bench-admin'), run);
    await kafka.stop();
    await redis.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
