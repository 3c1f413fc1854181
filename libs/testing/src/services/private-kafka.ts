import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../processes/service-process';
import { kafkaUrlWithCredentials, localKafkaCredentialsDir } from './service-probes';

const run = promisify(execFile);

/** A Kafka broker of one test's own, started with `infra/local/kafka.sh`, that the test may stop and restart. */
export interface PrivateKafka {
  /** As its admin: `kafka://admin:<password>@127.0.0.1:<port>`. */
  readonly url: string;
  /** Its principals' passwords (`<principal>.password`), as kafka.sh generated them. */
  readonly credentialsDir: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the broker and deletes its data. */
  dispose(): Promise<void>;
}

/**
 * Starts a second single-node broker on its own ports and state directory, for tests
 * that stop and restart Kafka without disturbing the broker the other tests share.
 */
export async function startPrivateKafka(port: number): Promise<PrivateKafka> {
  const state = mkdtempSync(join(tmpdir(), 'rapport-kafka-'));
  const env = {
    ...process.env,
    RAPPORT_LOCAL_STATE: state,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(port + 1),
    KAFKA_NUM_PARTITIONS: '4',
  };
  const script = join(REPO_ROOT, 'infra/local/kafka.sh');
  const kafka = (command: string) =>
    run('bash', [script, command], {
      cwd: REPO_ROOT,
      env,
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    }).then(() => undefined);
  await kafka('start');
  const credentialsDir = localKafkaCredentialsDir(state);
  return {
    url: kafkaUrlWithCredentials(`127.0.0.1:${port}`, credentialsDir),
    credentialsDir,
    stop: () => kafka('stop'),
    start: () => kafka('start'),
    dispose: async () => {
      await kafka('stop').catch(() => undefined);
      rmSync(state, { recursive: true, force: true });
    },
  };
}
