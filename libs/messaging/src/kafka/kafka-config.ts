import { Kafka, type KafkaConfig, type LogEntry, logLevel } from 'kafkajs';

const LEVEL_NAMES: Partial<Record<logLevel, string>> = {
  [logLevel.ERROR]: 'ERROR',
  [logLevel.WARN]: 'WARN',
  [logLevel.INFO]: 'INFO',
  [logLevel.DEBUG]: 'DEBUG',
};

/** What a bus URL says: `kafka://h1:9092,h2:9092?topicPrefix=run1.` */
export interface KafkaBusUrl {
  readonly brokers: string[];
  /** Put before every topic name (default none); lets test runs share a broker. */
  readonly topicPrefix: string;
}

/**
 * Reads a bus URL. The scheme is required so that a misconfigured `RAPPORT_BUS` (say
 * `inproc`) fails here with a clear message instead of as a connection timeout later;
 * unknown options fail too, so that a typo is not silently ignored.
 */
export function parseKafkaBusUrl(url: string): KafkaBusUrl {
  const match = /^kafka:\/\/([^?]+)(?:\?(.*))?$/.exec(url.trim());
  if (!match) {
    throw new Error(`not a Kafka URL: "${url}" (expected kafka://host:port[,host:port…])`);
  }
  const brokers = match[1]
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const bad = brokers.filter((b) => !/^[^\s:/]+:\d{1,5}$/.test(b));
  if (brokers.length === 0 || bad.length > 0) {
    throw new Error(`not a Kafka URL: "${url}" (each broker is host:port; bad: ${bad.join(', ')})`);
  }
  const params = new URLSearchParams(match[2] ?? '');
  const unknown = [...params.keys()].filter((k) => k !== 'topicPrefix');
  if (unknown.length > 0) {
    throw new Error(
      `Kafka URL "${url}" has unknown options: ${unknown.join(', ')} (known: topicPrefix)`,
    );
  }
  return { brokers, topicPrefix: params.get('topicPrefix') ?? '' };
}

/** The broker list of a bus URL: `kafka://h1:9092,h2:9092` → `['h1:9092', 'h2:9092']`. */
export function parseKafkaUrl(url: string): string[] {
  return parseKafkaBusUrl(url).brokers;
}

/**
 * kafkajs logs INFO by default, and a consumer group alone prints a dozen lines per
 * rebalance. Only warnings and errors reach stderr, one line each.
 */
function quietLogCreator() {
  return ({ namespace, level, log }: LogEntry) => {
    const { message, timestamp: _t, logger: _l, ...extra } = log;
    const details = Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : '';
    process.stderr.write(
      `[kafkajs] ${LEVEL_NAMES[level] ?? level} ${namespace}: ${message}${details}\n`,
    );
  };
}

/** A kafkajs client for these brokers with the quiet logger; `overrides` win. */
export function kafkaFromBrokers(
  brokers: readonly string[],
  clientId: string,
  overrides: Partial<KafkaConfig> = {},
): Kafka {
  return new Kafka({
    brokers: [...brokers],
    clientId,
    logLevel: logLevel.WARN,
    logCreator: quietLogCreator,
    // Ride out a broker restart (a few seconds to tens of seconds) rather than give up.
    retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: 12 },
    ...overrides,
  });
}

/** A kafkajs client for a bus URL (`kafka://h1:9092,h2:9092`). */
export function kafkaFromUrl(
  url: string,
  clientId: string,
  overrides: Partial<KafkaConfig> = {},
): Kafka {
  return kafkaFromBrokers(parseKafkaUrl(url), clientId, overrides);
}
