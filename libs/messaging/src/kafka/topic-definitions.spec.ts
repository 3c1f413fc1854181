import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHANNELS } from '@rapport/domain';
import {
  DLQ_TOPIC,
  OUTBOUND_TOPIC,
  TOUCHPOINT_TOPICS,
  topicNames,
  touchpointTopic,
} from '../topics';
import { loadTopicDefinitions } from './topic-definitions';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('topics', () => {
  it('has one touchpoint topic per channel, and the DLQ is not one of them', () => {
    expect(touchpointTopic('in_person')).toBe('touchpoints.in_person');
    expect(TOUCHPOINT_TOPICS).toEqual(CHANNELS.map((c) => `touchpoints.${c}`));
    expect(TOUCHPOINT_TOPICS).not.toContain(DLQ_TOPIC);
  });

  it('puts a prefix before every topic name, and none by default', () => {
    const names = topicNames('run1.');
    expect(names.touchpoint('email')).toBe('run1.touchpoints.email');
    expect(names.touchpoints).toEqual(TOUCHPOINT_TOPICS.map((t) => `run1.${t}`));
    expect([names.dlq, names.outbound]).toEqual(['run1.touchpoints.dlq', 'run1.rapport.outbound']);
    expect(topicNames().touchpoints).toEqual(TOUCHPOINT_TOPICS);
    expect(() => topicNames('run 1/')).toThrow(/topic prefix "run 1\/" may only hold/);
  });
});

describe('loadTopicDefinitions (infra/kafka/topics.json)', () => {
  const definitions = loadTopicDefinitions();
  const byTopic = new Map(definitions.map((d) => [d.topic, d]));

  it('defines every channel topic with 8 partitions and 3 days of retention', () => {
    for (const topic of TOUCHPOINT_TOPICS) {
      expect(byTopic.get(topic)).toMatchObject({
        partitions: 8,
        configs: { 'retention.ms': String(3 * DAY_MS) },
      });
    }
  });

  it('defines the DLQ with one partition and 14 days, and the outbound topic with 3', () => {
    expect(byTopic.get(DLQ_TOPIC)).toMatchObject({
      partitions: 1,
      configs: { 'retention.ms': String(14 * DAY_MS) },
    });
    expect(byTopic.get(OUTBOUND_TOPIC)?.configs).toMatchObject({
      'retention.ms': String(3 * DAY_MS),
    });
    expect(definitions).toHaveLength(TOUCHPOINT_TOPICS.length + 2);
  });

  function fileWith(content: unknown): string {
    const file = join(mkdtempSync(join(tmpdir(), 'rapport-topics-')), 'topics.json');
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  it.each([
    ['not JSON', '{', /invalid topic definitions in .*topics\.json: /],
    ['no topics array', { topic: 'a' }, /expected \{ "topics": \[ … \] \}/],
    ['zero partitions', { topics: [{ topic: 'a', partitions: 0 }] }, /topics\[0\]\.partitions/],
    ['a bad name', { topics: [{ topic: 'a b', partitions: 1 }] }, /topics\[0\]\.topic/],
    [
      'a duplicate',
      {
        topics: [
          { topic: 'a', partitions: 1 },
          { topic: 'a', partitions: 1 },
        ],
      },
      /topics\[1\]\.topic "a" is listed twice/,
    ],
    [
      'a number config',
      { topics: [{ topic: 'a', partitions: 1, configs: { 'retention.ms': 5 } }] },
      /topics\[0\]\.configs/,
    ],
    ['an unknown key', { topics: [{ topic: 'a', partitions: 1, retention: 1 }] }, /unknown keys/],
  ])('refuses a file with %s, naming the entry', (_what, content, message) => {
    expect(() => loadTopicDefinitions(fileWith(content))).toThrow(message);
  });
});
