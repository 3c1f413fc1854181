import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { describeEventStoreContract } from '../contract/event-store-contract';
import { esdbEventStoreFromUrl } from './esdb-event-store';
import { parseEsdbUrl } from './esdb-url';

/**
 * The EventStore contract against a real EventStoreDB: the server at `ESDB_URL`, else one
 * already listening on 127.0.0.1:2113, else a throwaway container (testcontainers, when a
 * container runtime answers). Otherwise it says so in one line and its tests do nothing:
 * EventStoreDB is not one of the services CI must provide, so it never fails for lack of
 * one, CI=true included. An `ESDB_URL` that does not answer is an error.
 *
 * Every test gets its own stream prefix, so runs can share one server.
 */

const maxEventBytes = 64 * 1024;
const RUN_IT = "ESDB_URL='esdb://127.0.0.1:2113?tls=false' npx jest libs/event-store";
const DEFAULT_URL = 'esdb://127.0.0.1:2113?tls=false';
/** Tried in order unless ESDB_IMAGE names one. */
const IMAGES = ['docker.eventstore.com/eventstore/eventstore:24.10', 'eventstore/eventstore:24.10'];

type EsdbService =
  | { readonly ok: true; readonly url: string; readonly origin: string; stop(): Promise<void> }
  | { readonly ok: false; readonly reason: string };

let service: EsdbService | undefined;

beforeAll(async () => {
  service = await obtainEsdb();
  if (service.ok) {
    process.stderr.write(`[esdb] EventStore contract against ${service.url} (${service.origin})\n`);
  } else {
    process.stderr.write(
      `[esdb] SKIPPED EventStore contract: esdb — ${service.reason}. Run it with: ${RUN_IT}\n`,
    );
  }
}, 600_000);

afterAll(async () => {
  if (service?.ok) await service.stop();
}, 120_000);

// Passed as a variable: the capability flags are the contract's once it has them.
const esdbAdapter = {
  name: 'esdb',
  maxEventBytes,
  /** `$all` commit positions: increasing and unique, with gaps. */
  positionsAreCounters: false,
  /** EventStoreDB has no index of event ids (see EsdbEventStore). */
  detectsIdsInOtherStreams: false,
  open: async () => {
    if (!service?.ok) return undefined;
    const base = parseEsdbUrl(service.url).streamPrefix;
    return esdbEventStoreFromUrl(service.url, {
      streamPrefix: `${base}rapport-test-${randomUUID().slice(0, 8)}-`,
      maxEventBytes,
    });
  },
};
describeEventStoreContract(esdbAdapter);

async function obtainEsdb(): Promise<EsdbService> {
  const explicit = process.env.ESDB_URL;
  if (explicit) {
    const problem = await probeEsdb(explicit, 30_000, false);
    if (problem) throw new Error(`ESDB_URL=${explicit} does not answer: ${problem}`);
    return { ok: true, url: explicit, origin: 'ESDB_URL', stop: async () => undefined };
  }
  if ((await portOpen('127.0.0.1', 2113)) && !(await probeEsdb(DEFAULT_URL, 5_000, false))) {
    return { ok: true, url: DEFAULT_URL, origin: 'default port', stop: async () => undefined };
  }

  let testcontainers: typeof import('testcontainers');
  try {
    testcontainers = await import('testcontainers');
    await testcontainers.getContainerRuntimeClient();
  } catch (error) {
    return {
      ok: false,
      reason: `ESDB_URL is not set, nothing answers at 127.0.0.1:2113, and no container runtime answers (${message(error)})`,
    };
  }
  const images = process.env.ESDB_IMAGE ? [process.env.ESDB_IMAGE] : IMAGES;
  const failures: string[] = [];
  for (const image of images) {
    try {
      process.stderr.write(`[esdb] starting ${image} with testcontainers\n`);
      const container = await new testcontainers.GenericContainer(image)
        .withExposedPorts(2113)
        .withEnvironment({
          EVENTSTORE_INSECURE: 'true',
          EVENTSTORE_MEM_DB: 'true',
          EVENTSTORE_CLUSTER_SIZE: '1',
          EVENTSTORE_RUN_PROJECTIONS: 'None',
          EVENTSTORE_START_STANDARD_PROJECTIONS: 'false',
        })
        .withWaitStrategy(
          testcontainers.Wait.forHttp('/health/live', 2113).forStatusCodeMatching(
            (status) => status >= 200 && status < 300,
          ),
        )
        .withStartupTimeout(180_000)
        .start();
      const url = `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
      // Live is not ready: wait until the node has become leader and takes writes.
      const problem = await probeEsdb(url, 60_000, true);
      if (!problem) {
        return {
          ok: true,
          url,
          origin: `testcontainers, ${image}`,
          stop: async () => void (await container.stop()),
        };
      }
      await container.stop();
      failures.push(`${image} started but does not take writes: ${problem}`);
    } catch (error) {
      failures.push(`${image}: ${message(error)}`);
    }
  }
  return {
    ok: false,
    reason: `a container runtime answers, but EventStoreDB did not start (${failures.join('; ')})`,
  };
}

/** Null when the server answers (a read of `$all`, or an append when `write`), else why not. */
async function probeEsdb(url: string, timeoutMs: number, write: boolean): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let problem = 'no answer';
  while (Date.now() < deadline) {
    const client = EventStoreDBClient.connectionString(parseEsdbUrl(url).connectionString);
    try {
      if (write) {
        await client.appendToStream(
          'rapport-readiness-probe',
          jsonEvent({ type: 'probe', data: { at: new Date().toISOString() } }),
          { deadline: 5_000 },
        );
      } else {
        for await (const _ of client.readAll({ maxCount: 1, deadline: 5_000 })) void _;
      }
      return null;
    } catch (error) {
      problem = message(error);
    } finally {
      await client.dispose().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return problem;
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}
