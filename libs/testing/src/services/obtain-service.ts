import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see service-probes.ts
import { redactBusUrl } from '../../../messaging/src/kafka/kafka-bus-url';
import { defaultServiceUrl, probeService, SERVICE_ENV, type ServiceName } from './service-probes';

const run = promisify(execFile);
const REPO_ROOT = resolve(__dirname, '../../../..');

/** Where a service came from, in the order the harness tries them. */
export type ServiceOrigin = 'environment' | 'default-port' | 'testcontainers' | 'local-script';

export type ObtainedService =
  | {
      readonly ok: true;
      readonly url: string;
      readonly origin: ServiceOrigin;
      stop(): Promise<void>;
    }
  | { readonly ok: false; readonly reason: string };

const noop = async () => undefined;

/**
 * Finds or starts a real service: an explicit URL in the environment, then the service
 * already listening on its default port, then a container through testcontainers when a
 * container runtime answers, then the Docker-free scripts in `infra/local/`.
 */
export async function obtainService(
  name: ServiceName,
  log: (line: string) => void = () => undefined,
): Promise<ObtainedService> {
  const envName = SERVICE_ENV[name];
  const explicit = process.env[envName];
  if (explicit) {
    return (await probeService(name, explicit, 10000))
      ? { ok: true, url: explicit, origin: 'environment', stop: noop }
      : { ok: false, reason: `${envName}=${redactBusUrl(explicit)} does not answer` };
  }
  const fallback = defaultServiceUrl(name);
  if (await probeService(name, fallback))
    return { ok: true, url: fallback, origin: 'default-port', stop: noop };

  const container = await startContainer(name, log);
  if (container) return container;

  const script = resolve(REPO_ROOT, 'infra/local', SCRIPTS[name]);
  try {
    log(`${name}: not running; starting it with ${script}`);
    const started = await run('bash', [script, 'start'], {
      cwd: REPO_ROOT,
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    // Another run (a second Jest, a benchmark) may have started it a moment before this one
    // looked: then the script only reports it, and this run must not stop it afterwards.
    const startedHere =
      !/already running|not started by this script|running but not listening/.test(
        `${started.stdout}${started.stderr}`,
      );
    // Kafka: the script has generated the local admin's password by now.
    const url = defaultServiceUrl(name);
    if (await probeService(name, url, 10000)) {
      return {
        ok: true,
        url,
        origin: 'local-script',
        stop: async () => {
          // Only what the harness started is stopped again (PostgreSQL is a system service).
          if (name !== 'postgres' && startedHere)
            await run('bash', [script, 'stop'], { cwd: REPO_ROOT, timeout: 60_000 }).catch(
              () => undefined,
            );
        },
      };
    }
    return {
      ok: false,
      reason: `${script} start ran, but ${name} does not answer at ${redactBusUrl(url)}`,
    };
  } catch (error) {
    const detail =
      error instanceof Error ? error.message.split('\n').slice(-6).join(' | ') : String(error);
    return {
      ok: false,
      reason: `${name} is not at ${redactBusUrl(fallback)}, ${envName} is not set, no container runtime answers, and ${script} failed: ${detail}`,
    };
  }
}

const SCRIPTS: Record<ServiceName, string> = {
  kafka: 'kafka.sh',
  redis: 'redis.sh',
  redisCluster: 'redis-cluster.sh',
  postgres: 'postgres.sh',
};

/** The images testcontainers runs; none for the cluster (its script starts one in seconds). */
const IMAGES: Partial<
  Record<ServiceName, { image: string; port: number; env: Record<string, string> }>
> = {
  redis: { image: 'redis:7-alpine', port: 6379, env: {} },
  postgres: {
    image: 'postgres:16-alpine',
    port: 5432,
    env: { POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'test' },
  },
  kafka: { image: 'apache/kafka:3.9.1', port: 9092, env: {} },
};

/** A throwaway container, when a container runtime is reachable; null otherwise. */
async function startContainer(
  name: ServiceName,
  log: (line: string) => void,
): Promise<ObtainedService | null> {
  const spec = IMAGES[name];
  if (!spec) return null;
  let testcontainers: typeof import('testcontainers');
  try {
    testcontainers = await import('testcontainers');
    await testcontainers.getContainerRuntimeClient();
  } catch {
    return null; // no Docker (or Podman) engine: a `docker` CLI alone proves nothing
  }
  log(`${name}: starting ${spec.image} with testcontainers`);
  if (name === 'kafka') {
    // Fixed host port: a Kafka broker advertises its listener, so host and container ports must agree.
    const port = 19092;
    const container = await new testcontainers.GenericContainer(spec.image)
      .withExposedPorts({ container: port, host: port })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: `PLAINTEXT://:${port},CONTROLLER://:9093`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_NUM_PARTITIONS: '4',
      })
      .withWaitStrategy(testcontainers.Wait.forLogMessage(/Kafka Server started/))
      .start();
    return {
      ok: true,
      url: `kafka://127.0.0.1:${port}`,
      origin: 'testcontainers',
      stop: async () => void (await container.stop()),
    };
  }
  const container = await new testcontainers.GenericContainer(spec.image)
    .withExposedPorts(spec.port)
    .withEnvironment(spec.env)
    .start();
  const host = container.getHost();
  const port = container.getMappedPort(spec.port);
  const url =
    name === 'redis' ? `redis://${host}:${port}` : `postgres://postgres@${host}:${port}/test`;
  for (let i = 0; i < 60 && !(await probeService(name, url)); i += 1)
    await new Promise((r) => setTimeout(r, 500));
  return {
    ok: true,
    url,
    origin: 'testcontainers',
    stop: async () => void (await container.stop()),
  };
}
