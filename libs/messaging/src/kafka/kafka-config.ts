import { Kafka, type KafkaConfig, type LogEntry, logLevel, type SASLOptions } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { type ConnectionOptions } from 'node:tls';
import { type KafkaBusUrl, parseKafkaBusUrl } from './kafka-bus-url';

const LEVEL_NAMES: Partial<Record<logLevel, string>> = {
  [logLevel.ERROR]: 'ERROR',
  [logLevel.WARN]: 'WARN',
  [logLevel.INFO]: 'INFO',
  [logLevel.DEBUG]: 'DEBUG',
};

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

/** How a client authenticates and encrypts: kafkajs' own `sasl` and `ssl` settings. */
export interface KafkaSecurity {
  readonly sasl?: SASLOptions;
  readonly ssl?: boolean | ConnectionOptions;
}

/**
 * The kafkajs `sasl` and `ssl` settings of a parsed bus URL. Reads the password, CA,
 * certificate and key files it names now; an unreadable or empty file is an error that
 * names the option and the path, never the content.
 */
export function kafkaSecurity(bus: KafkaBusUrl): KafkaSecurity {
  const read = (option: string, path: string): string => {
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new Error(`Kafka URL option ${option}=${path}: cannot read the file (${code})`);
    }
    if (content.trim() === '')
      throw new Error(`Kafka URL option ${option}=${path}: the file is empty`);
    return content;
  };
  const security: { sasl?: SASLOptions; ssl?: boolean | ConnectionOptions } = {};
  if (bus.sasl) {
    const { mechanism, username, passwordFile } = bus.sasl;
    // a password file holds one line; its line break is not part of the password
    const password =
      passwordFile !== undefined
        ? read('passwordFile', passwordFile).replace(/\r?\n$/, '')
        : (bus.sasl.password ?? '');
    security.sasl = { mechanism, username, password } as SASLOptions;
  }
  if (bus.tls) {
    const { caFile, certFile, keyFile } = bus.tls;
    const files: ConnectionOptions = {
      ...(caFile !== undefined ? { ca: [read('ca', caFile)] } : {}),
      ...(certFile !== undefined ? { cert: read('cert', certFile) } : {}),
      ...(keyFile !== undefined ? { key: read('key', keyFile) } : {}),
    };
    security.ssl = Object.keys(files).length > 0 ? files : true;
  }
  return security;
}

/** A kafkajs client for a parsed bus URL: its brokers, SASL and TLS, the quiet logger. */
export function kafkaFromBus(
  bus: KafkaBusUrl,
  clientId: string,
  overrides: Partial<KafkaConfig> = {},
): Kafka {
  return kafkaFromBrokers(bus.brokers, clientId, { ...kafkaSecurity(bus), ...overrides });
}

/** A kafkajs client for a bus URL (`kafka://user:password@h1:9092,h2:9092?tls=true`). */
export function kafkaFromUrl(
  url: string,
  clientId: string,
  overrides: Partial<KafkaConfig> = {},
): Kafka {
  return kafkaFromBus(parseKafkaBusUrl(url), clientId, overrides);
}
