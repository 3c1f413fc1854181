import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** How one topic should look when Rapport creates it. */
export interface TopicDefinition {
  readonly topic: string;
  readonly partitions: number;
  /** Left out: the broker's `default.replication.factor` (1 locally, 3 on a real cluster). */
  readonly replicationFactor?: number;
  /** Topic-level configs, e.g. `{ "retention.ms": "604800000" }`. */
  readonly configs?: Readonly<Record<string, string>>;
}

/** `infra/kafka/topics.json` of this repository. */
export const DEFAULT_TOPICS_FILE = resolve(__dirname, '../../../../infra/kafka/topics.json');

/**
 * Reads the topic definitions (by default `infra/kafka/topics.json`) and checks their
 * shape, so that a typo in the file fails at start with the entry it is in rather than
 * as an obscure broker error.
 */
export function loadTopicDefinitions(file: string = DEFAULT_TOPICS_FILE): TopicDefinition[] {
  function fail(detail: string): never {
    throw new Error(`invalid topic definitions in ${file}: ${detail}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const topics = (parsed as { topics?: unknown } | null)?.topics;
  if (!Array.isArray(topics)) fail('expected { "topics": [ … ] }');

  const seen = new Set<string>();
  return topics.map((entry: unknown, i): TopicDefinition => {
    const at = `topics[${i}]`;
    if (typeof entry !== 'object' || entry === null) fail(`${at} is not an object`);
    const { topic, partitions, replicationFactor, configs, ...rest } = entry as Record<
      string,
      unknown
    >;
    if (Object.keys(rest).length > 0) fail(`${at} has unknown keys: ${Object.keys(rest)}`);
    if (typeof topic !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(topic)) {
      fail(`${at}.topic is not a valid topic name`);
    }
    if (seen.has(topic)) fail(`${at}.topic "${topic}" is listed twice`);
    seen.add(topic);
    if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1) {
      fail(`${at}.partitions must be a positive integer`);
    }
    if (
      replicationFactor !== undefined &&
      (typeof replicationFactor !== 'number' ||
        !Number.isInteger(replicationFactor) ||
        replicationFactor < 1)
    ) {
      fail(`${at}.replicationFactor must be a positive integer`);
    }
    if (
      configs !== undefined &&
      (typeof configs !== 'object' ||
        configs === null ||
        !Object.values(configs).every((v) => typeof v === 'string'))
    ) {
      fail(`${at}.configs must map config names to strings`);
    }
    return {
      topic,
      partitions,
      ...(replicationFactor === undefined ? {} : { replicationFactor }),
      ...(configs === undefined ? {} : { configs: configs as Record<string, string> }),
    };
  });
}
