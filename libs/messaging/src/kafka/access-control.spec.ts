import { CHANNELS } from '@rapport/domain';
import * as kafkajs from 'kafkajs';
import { AclOperationTypes, ResourcePatternTypes } from 'kafkajs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DLQ_TOPIC, OUTBOUND_TOPIC, touchpointTopic } from '../topics';
import { aclEntries, DEFAULT_ACLS_FILE, loadAclPlan } from './access-control';
import { loadTopicDefinitions } from './topic-definitions';

const plan = loadAclPlan();
const writers = (topic: string) =>
  Object.entries(plan.principals)
    .filter(([, grants]) =>
      grants.some(
        (g) =>
          g.kind === 'topic' &&
          (g.pattern === 'literal' ? g.name === topic : topic.startsWith(g.name)) &&
          g.operations.includes('Write'),
      ),
    )
    .map(([name]) => name);

describe('the Kafka ACL plan (infra/kafka/acls.json)', () => {
  it('has one adapter principal per channel, which may write only that channel', () => {
    for (const channel of CHANNELS) {
      const adapters = writers(touchpointTopic(channel)).filter((p) => p.startsWith('adapter-'));
      expect({ channel, adapters }).toEqual({
        channel,
        adapters: [`adapter-${channel.replace('_', '-')}`],
      });
    }
    for (const [name, grants] of Object.entries(plan.principals)) {
      if (!name.startsWith('adapter-')) continue;
      expect(grants).toEqual([
        expect.objectContaining({ kind: 'topic', pattern: 'literal', operations: ['Write'] }),
      ]);
    }
  });

  it('lets only the ingestor write the dead-letter topic, and only the projector the outbound one', () => {
    expect(writers(DLQ_TOPIC)).toEqual(['rapport-ingestor']);
    expect(writers(OUTBOUND_TOPIC)).toEqual(['rapport-projector']);
  });

  it('names only topics that infra/kafka/topics.json defines (or a prefix for the CLI)', () => {
    const defined = new Set(loadTopicDefinitions().map((d) => d.topic));
    for (const grants of Object.values(plan.principals)) {
      for (const g of grants) {
        if (g.kind === 'topic' && g.pattern === 'literal') expect(defined).toContain(g.name);
      }
    }
  });

  it('has admin as its only super user', () => {
    expect(plan.superUsers).toEqual(['admin']);
    expect(Object.keys(plan.principals)).not.toContain('admin');
  });

  it('puts every resource under a prefix, keeping the pattern type', () => {
    const entries = aclEntries(plan, { prefix: 'run1.', principals: ['rapport-ingestor'] });
    expect(entries).toContainEqual(
      expect.objectContaining({
        resourceName: 'run1.touchpoints.email',
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: 'User:rapport-ingestor',
        operation: AclOperationTypes.READ,
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        resourceName: 'run1.rapport-ingestor',
        resourcePatternType: ResourcePatternTypes.PREFIXED,
      }),
    );
    expect(entries.every((e) => e.resourceName.startsWith('run1.'))).toBe(true);
    expect(() => aclEntries(plan, { principals: ['nobody'] })).toThrow(/no principal "nobody"/);
  });

  it('reads the same as infra/local/kafka-acls.js, which kafka.sh runs', () => {
    const script = createRequire(__filename)('../../../../infra/local/kafka-acls.js') as {
      loadPlan(file: string): { names: string[]; plan: unknown };
      aclEntries(plan: unknown, prefix: string, kafkajs: unknown): unknown[];
    };
    const fromScript = script.loadPlan(DEFAULT_ACLS_FILE);
    expect(fromScript.names).toEqual([...plan.superUsers, ...Object.keys(plan.principals)]);
    expect(script.aclEntries(fromScript.plan, 'p.', kafkajs)).toEqual(
      aclEntries(plan, { prefix: 'p.' }),
    );
  });

  describe('refuses a file with', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-acls-'));
    const fileWith = (content: unknown) => {
      const file = join(dir, `${Math.random()}.json`);
      writeFileSync(file, JSON.stringify(content));
      return file;
    };
    const allow = (entry: unknown) => ({
      superUsers: ['admin'],
      principals: { a: { allow: [entry] } },
    });
    it.each([
      ['no principals', { superUsers: [] }, /expected "superUsers"/],
      [
        'a bad principal name',
        { superUsers: ['Admin!'], principals: {} },
        /"Admin!" is not a valid/,
      ],
      [
        'two resources in one entry',
        allow({ topic: 't', group: 'g', operations: ['Read'] }),
        /a\.allow\[0\]: name one/,
      ],
      [
        'an unknown pattern',
        allow({ topic: 't', pattern: 'match', operations: ['Read'] }),
        /pattern is literal or prefixed/,
      ],
      [
        'an unknown operation',
        allow({ topic: 't', operations: ['Read', 'All'] }),
        /operations are some of/,
      ],
      ['no operations', allow({ topic: 't', operations: [] }), /operations are some of/],
    ])('%s', (_what, content, message) => {
      expect(() => loadAclPlan(fileWith(content))).toThrow(message);
    });
  });
});
