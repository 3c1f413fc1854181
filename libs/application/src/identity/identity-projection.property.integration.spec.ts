import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import {
  type Channel,
  type ChannelIdentity,
  DEFAULT_IDENTITY_POLICY,
  decodeCursor,
  filingIdentityOf,
  identityKey,
  type TimelineEntry,
} from '@rapport/domain';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { TouchpointIngestion } from '../ingestion';
import { describeWithServices, testRedis } from '@rapport/testing';
import { ReferenceIdentityGraph } from '@rapport/domain';
import { type TimelineReadModel, timelineProjection } from '@rapport/read-models';
import { MemoryTimelineReadModel, RedisTimelineReadModel } from '@rapport/read-models/internals';
import { IdentityCommands } from './identity-commands';
import { IdentityGraphLog } from './identity-graph-log';
import { IdentityResolution } from './identity-resolution';

/**
 * Random histories of touchpoints (one to three identities, some verified), staff links,
 * unlinks, merges and unmerges, driven through the real path — ingestion into a SQLite
 * log, identity resolution appending its decisions, the timeline projection in batches of
 * random size, staff commands deciding on the identity-graph stream — and after every step
 * every timeline (paged) and profile compared with a naive model: the reference identity
 * graph of the domain, and "the entries of a customer are the touchpoints filed under one
 * of its merge group's identities, newest first, ties by log position".
 */

const POOL: readonly ChannelIdentity[] = [
  { kind: 'email', value: 'ann@example.com' },
  { kind: 'email', value: 'ann@work.example' },
  { kind: 'email', value: 'bob@example.com' },
  { kind: 'email', value: 'noreply@shop.example' }, // blocked
  { kind: 'phone', value: '+4930111111' },
  { kind: 'phone', value: '+4930222222' },
  { kind: 'chat', value: 'v-1' },
  { kind: 'chat', value: 'v-2' },
  { kind: 'card', value: 'AB1234' },
];
const byKey = new Map(POOL.map((identity) => [identityKey(identity), identity]));
const CHANNELS: Channel[] = ['email', 'chat', 'phone', 'in_person'];
const STAFF = { kind: 'staff', staffId: 'agent-7' } as const;
const AT = '2026-04-01T00:00:00.000Z';

type Step =
  | { kind: 'touch'; ids: number[]; verified: boolean[]; channel: number; day: number }
  | { kind: 'merge'; a: number; b: number }
  | { kind: 'unmerge'; a: number }
  | { kind: 'link'; a: number; identity: number }
  | { kind: 'unlink'; identity: number }
  | { kind: 'project' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('touch' as const),
      ids: fc.uniqueArray(fc.nat(POOL.length - 1), { minLength: 1, maxLength: 3 }),
      verified: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      channel: fc.nat(CHANNELS.length - 1),
      day: fc.nat(3),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('merge' as const), a: fc.nat(), b: fc.nat() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unmerge' as const), a: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('link' as const),
      a: fc.nat(),
      identity: fc.nat(POOL.length - 1),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('unlink' as const),
      identity: fc.nat(POOL.length - 1),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'project' as const }) },
);

/** What the runs exercised, so a generator that never reaches a case does not pass silently. */
const exercised = { merged: 0, unmerged: 0, linked: 0, unlinked: 0, autoMerged: 0, union: 0 };

interface Filed {
  readonly position: number;
  readonly bucket: string;
  readonly channel: Channel;
  readonly occurredAt: string;
}

class Harness {
  private readonly ingestion: TouchpointIngestion;
  private readonly resolution: IdentityResolution;
  private readonly commands: IdentityCommands;
  private readonly projection;
  private resolvedUpTo = 0;
  private projectedUpTo = 0;
  private touchpoints = 0;
  readonly reference = new ReferenceIdentityGraph(DEFAULT_IDENTITY_POLICY);
  readonly filed: Filed[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly model: TimelineReadModel,
    private readonly batchSizes: number[],
  ) {
    this.ingestion = new TouchpointIngestion(store, {
      now: () => new Date('2026-05-01T00:00:00Z'),
    });
    this.resolution = new IdentityResolution(new IdentityGraphLog(store));
    this.commands = new IdentityCommands(new IdentityGraphLog(store));
    this.projection = timelineProjection(model);
  }

  async run(step: Step): Promise<void> {
    const customers = this.reference.customers();
    const pick = (n: number) => customers[n % Math.max(customers.length, 1)];
    switch (step.kind) {
      case 'touch': {
        const identities = step.ids.map((i, n) => ({ ...POOL[i], verified: step.verified[n] }));
        const [identity, ...further] = identities;
        const [result] = await this.ingestion.ingest(
          [
            {
              specversion: '1.0',
              id: `tp-${++this.touchpoints}`,
              source: 'adapters/test',
              type: 'touchpoint.recorded.v1',
              time: `2026-03-0${1 + step.day}T10:00:00Z`,
              data: {
                channel: CHANNELS[step.channel],
                direction: 'inbound',
                identity,
                ...(further.length ? { identities: further } : {}),
              },
            },
          ],
          UNRESTRICTED_SCOPE,
        );
        if (result.status !== 'accepted') throw new Error(JSON.stringify(result));
        // The resolver decides in log order: resolve now, as the reference does.
        await this.resolve();
        this.reference.touch(identities);
        this.filed.push({
          position: result.position,
          bucket: identityKey(filingIdentityOf(identities)),
          channel: CHANNELS[step.channel],
          occurredAt: new Date(`2026-03-0${1 + step.day}T10:00:00Z`).toISOString(),
        });
        return;
      }
      case 'merge': {
        if (customers.length === 0) return;
        const [survivor, merged] = [pick(step.a), pick(step.b)];
        const expected = this.reference.merge(survivor, merged);
        const actual = await this.commands.merge(survivor, merged, STAFF, AT);
        if (actual.ok) {
          exercised.merged++;
          this.staffMerged.add(merged);
        }
        expect([actual.ok, actual.ok ? '' : actual.errors[0].code]).toEqual([
          expected.ok,
          expected.ok ? '' : expected.code,
        ]);
        return;
      }
      case 'unmerge': {
        const merged = customers.filter((c) => this.reference.rootOf(c) !== c);
        if (merged.length === 0) return;
        const mergedId = merged[step.a % merged.length];
        const survivor = this.reference.rootOf(mergedId);
        // The reference wants the direct survivor (the last merge naming `mergedId` as
        // merged); staff name the customer they look at.
        const direct = this.reference
          .historyOf(mergedId)
          .filter(([action, , m]) => action === 'merged' && m === mergedId)
          .pop()?.[1] as string;
        expect(this.reference.unmerge(direct, mergedId).ok).toBe(true);
        const actual = await this.commands.unmerge(survivor, mergedId, STAFF, AT);
        expect(actual.ok).toBe(true);
        exercised.unmerged++;
        return;
      }
      case 'link': {
        if (customers.length === 0) return;
        const customer = this.reference.rootOf(pick(step.a));
        const withIdentity = byKey.get(this.reference.identityKeysOf(customer)[0]);
        if (!withIdentity) return;
        const identity = POOL[step.identity];
        const expected = this.reference.link(identity, withIdentity, true);
        const actual = await this.commands.link(customer, identity, STAFF, AT);
        if (actual.ok) exercised.linked++;
        expect([actual.ok, actual.ok ? '' : actual.errors[0].code]).toEqual([
          expected.ok,
          expected.ok ? '' : expected.code,
        ]);
        return;
      }
      case 'unlink': {
        const identity = POOL[step.identity];
        const customer = this.reference.customerOf(identityKey(identity));
        if (customer === undefined) return;
        const expected = this.reference.unlink(identity);
        const actual = await this.commands.unlink(customer, identity, STAFF, AT);
        if (actual.ok) exercised.unlinked++;
        expect([actual.ok, actual.ok ? '' : actual.errors[0].code]).toEqual([
          expected.ok,
          expected.ok ? '' : expected.code,
        ]);
        return;
      }
      case 'project':
        await this.project();
        return;
    }
  }

  /** Checks every customer's timeline and profile, and every identity's customer. */
  async check(): Promise<void> {
    await this.resolve();
    await this.project();
    for (const key of byKey.keys()) {
      const expected = this.reference.customerOf(key) ?? null;
      if (expected !== null) expect(await this.model.customerByIdentity(key)).toBe(expected);
    }
    for (const customer of this.reference.customers()) {
      const root = this.reference.rootOf(customer);
      const keys = new Set(this.reference.identityKeysOf(root));
      const expected = this.filed
        .filter((f) => keys.has(f.bucket))
        .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.position - a.position);
      const timeline = await this.allPages(customer, 1 + (customer.charCodeAt(0) % 4));
      expect(timeline.map((e) => e.position)).toEqual(expected.map((f) => f.position));
      if (keys.size > 1 && new Set(expected.map((f) => f.bucket)).size > 1) exercised.union++;
      if (
        this.reference
          .historyOf(root)
          .some(([action, s, m]) => action === 'merged' && s === root && !this.isStaffMerge(m))
      )
        exercised.autoMerged++;
      expect(await this.model.resolveCustomer(customer)).toBe(root);

      const profile = await this.model.profile(customer);
      const perChannel: Partial<Record<Channel, number>> = {};
      for (const f of expected) perChannel[f.channel] = (perChannel[f.channel] ?? 0) + 1;
      expect(profile).toMatchObject({
        customerId: root,
        identities: [...keys].sort().map((key) => byKey.get(key)),
        mergedCustomers: this.reference.mergedCustomersOf(root),
        channels: Object.keys(perChannel).sort(),
        touchpoints: expected.length,
        firstContact: expected.length ? expected[expected.length - 1].occurredAt : null,
        lastContact: expected.length ? expected[0].occurredAt : null,
      });
      expect(profile?.touchpointsPerChannel).toEqual(
        Object.fromEntries(
          Object.keys(perChannel)
            .sort()
            .map((c) => [c, perChannel[c as Channel]]),
        ),
      );
      expect(profile?.mergeHistory.map((m) => [m.action, m.survivorId, m.mergedId])).toEqual(
        this.reference.historyOf(root),
      );
    }
  }

  private readonly staffMerged = new Set<string>();

  private isStaffMerge(merged: string): boolean {
    return this.staffMerged.has(merged);
  }

  private async resolve(): Promise<void> {
    if (this.resolvedUpTo === 0) await this.resolution.checkpoint();
    const events = await this.store.readAll({ after: this.resolvedUpTo });
    if (events.length === 0) return;
    const upTo = events[events.length - 1].position;
    await this.resolution.applyBatch(events, { after: this.resolvedUpTo, upTo });
    this.resolvedUpTo = upTo;
  }

  private async project(): Promise<void> {
    const events = await this.store.readAll({ after: this.projectedUpTo });
    let i = 0;
    let n = 0;
    while (i < events.length) {
      const size = this.batchSizes[n++ % this.batchSizes.length];
      const batch = events.slice(i, i + size);
      const upTo = batch[batch.length - 1].position;
      await this.projection.applyBatch(batch, { after: this.projectedUpTo, upTo });
      this.projectedUpTo = upTo;
      i += size;
    }
  }

  private async allPages(customerId: string, limit: number): Promise<TimelineEntry[]> {
    const items: TimelineEntry[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.model.page(customerId, {
        limit,
        ...(cursor ? { cursor: decodeCursor(cursor) ?? undefined } : {}),
      });
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }
}

function historyProperty(
  open: () => Promise<{ model: TimelineReadModel; close: () => Promise<void> }>,
) {
  return fc.asyncProperty(
    fc.array(stepArb, { minLength: 1, maxLength: 40 }),
    fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }),
    async (steps, batchSizes) => {
      const store = await openEventStore('sqlite::memory:');
      const { model, close } = await open();
      try {
        const harness = new Harness(store, model, batchSizes);
        for (const step of steps) await harness.run(step);
        await harness.check();
      } finally {
        await close();
        await store.close();
      }
    },
  );
}

/**
 * Histories every run includes besides the random ones, so each kind of history the
 * `exercised` check asks for happens whatever the seed: two customers (a verified e-mail,
 * a verified phone) that one touchpoint carrying both merges automatically (their timeline
 * is then a union), a third customer (a chat visitor), and staff linking a new identity,
 * merging the chat visitor in, unmerging it again and unlinking the identity.
 */
const KNOWN_HISTORIES: [Step[], number[]][] = [
  [
    [
      { kind: 'touch', ids: [0], verified: [true, true, true], channel: 0, day: 0 },
      { kind: 'touch', ids: [4], verified: [true, true, true], channel: 2, day: 1 },
      { kind: 'project' },
      { kind: 'touch', ids: [0, 4], verified: [true, true, true], channel: 1, day: 2 },
      { kind: 'project' },
      { kind: 'touch', ids: [6], verified: [false, false, false], channel: 1, day: 3 },
      { kind: 'link', a: 0, identity: 7 },
      { kind: 'merge', a: 0, b: 2 },
      { kind: 'project' },
      { kind: 'unmerge', a: 1 },
      { kind: 'unlink', identity: 7 },
      { kind: 'project' },
    ],
    [2, 3],
  ],
  // Found by CI (seed -339332052): an unverified pair, one of them unlinked by staff, then the
  // same pair again with the unlinked one verified.
  [
    [
      { kind: 'touch', ids: [2, 7], verified: [false, false, false], channel: 0, day: 0 },
      { kind: 'unlink', identity: 2 },
      { kind: 'touch', ids: [7, 2], verified: [false, true, false], channel: 0, day: 0 },
      { kind: 'touch', ids: [0], verified: [false, false, false], channel: 0, day: 0 },
    ],
    [1],
  ],
];

afterAll(() => {
  // Every kind of history happened in the runs (the numbers are summed over both adapters).
  for (const [what, count] of Object.entries(exercised)) {
    if (count === 0) throw new Error(`no run exercised ${what}: ${JSON.stringify(exercised)}`);
  }
});

describe('identity projection against a reference model: memory', () => {
  it('every timeline and profile after random touchpoints, links, unlinks, merges and unmerges', async () => {
    await fc.assert(
      historyProperty(async () => ({
        model: new MemoryTimelineReadModel(),
        close: async () => undefined,
      })),
      { numRuns: 150, examples: KNOWN_HISTORIES },
    );
  }, 120_000);
});

describeWithServices(['redis'], 'identity projection against a reference model: redis', (urls) => {
  it('every timeline and profile after random touchpoints, links, unlinks, merges and unmerges', async () => {
    const redis = testRedis(urls.redis);
    try {
      await fc.assert(
        historyProperty(async () => {
          const model = new RedisTimelineReadModel(redis, {
            prefix: `rapport-test:${randomUUID()}:`,
          });
          return { model, close: () => model.clear() };
        }),
        { numRuns: 40, examples: KNOWN_HISTORIES },
      );
    } finally {
      await redis.quit();
    }
  }, 180_000);
});
