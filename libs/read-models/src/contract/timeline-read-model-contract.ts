import { type AdapterUnderTest, openModelPerTest } from './adapter-under-test';
import {
  type Channel,
  type ChannelIdentity,
  type CustomerErasedV1,
  type Direction,
  type IdentityGraphEvent,
  type TimelineEntry,
  type TimelineQuery,
  customerMerged,
  customerUnmerged,
  decodeCursor,
  EMPTY_IDENTITY_GRAPH,
  evolve,
  identityKey,
  identityLinked,
  identityUnlinked,
  matchesTimelineFilter,
} from '@rapport/domain';
import { CheckpointMismatchError } from '../projection/checkpoint';
import { type TimelineReadModel } from '../timeline/timeline-read-model';
import { type TimelineAsOf, wholeGraphAsOf } from '../time-travel/log-as-of';

export type TimelineReadModelUnderTest = AdapterUnderTest<TimelineReadModel>;

const CHANNELS: Channel[] = ['email', 'chat', 'social', 'in_person'];

export function entry(position: number, overrides: Partial<TimelineEntry> = {}): TimelineEntry {
  const channel = overrides.channel ?? CHANNELS[position % CHANNELS.length];
  const direction: Direction = overrides.direction ?? (position % 3 === 0 ? 'outbound' : 'inbound');
  return {
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    position,
    customerId: 'c-1',
    occurredAt: new Date(Date.UTC(2026, 0, 1) + position * 60_000).toISOString(),
    type: 'touchpoint.recorded',
    channel,
    direction,
    identity: { kind: 'email', value: 'ann@example.com' },
    source: 'test',
    ...overrides,
  };
}

const ANN: ChannelIdentity = { kind: 'email', value: 'ann@example.com' };
const ANN_PHONE: ChannelIdentity = { kind: 'phone', value: '+4930123456' };
const BOB: ChannelIdentity = { kind: 'email', value: 'bob@example.com' };
const STAFF = { kind: 'staff', staffId: 'agent-7' } as const;
const AT = '2026-03-01T09:00:00.000Z';

/** Graph events: each identity starts (or joins) the customer named beside it. */
function linked(...links: [ChannelIdentity, string, ChannelIdentity?][]): IdentityGraphEvent[] {
  return links.map(([identity, customerId, via]) =>
    identityLinked({
      identity,
      customerId,
      ...(via ? { via } : {}),
      by: { kind: 'adapter', source: 'test' },
      at: AT,
      reason: via ? 'seen-together' : 'first-seen',
    }),
  );
}

const ANN_AND_BOB = linked([ANN, 'c-a'], [BOB, 'c-b']);

const merged = (survivorId: string, mergedId: string) =>
  customerMerged({
    survivorId,
    mergedId,
    evidence: [],
    by: STAFF,
    at: AT,
    reason: 'staff-decision',
  });
const unmerged = (survivorId: string, mergedId: string) =>
  customerUnmerged({ survivorId, mergedId, by: STAFF, at: AT, reason: 'staff-decision' });

/** The log as of `position`, its identity graph folded from `identityEvents` (those up to it). */
function asOf(position: number, ...identityEvents: IdentityGraphEvent[]): TimelineAsOf {
  return wholeGraphAsOf(position, identityEvents.reduce(evolve, EMPTY_IDENTITY_GRAPH));
}

/** Every page of a customer's timeline, followed by cursor (as of `at` when given). */
export async function allPages(
  model: TimelineReadModel,
  customerId: string,
  query: Omit<TimelineQuery, 'cursor'>,
  at?: TimelineAsOf,
) {
  const items: TimelineEntry[] = [];
  let cursor: string | null = null;
  do {
    const page = await model.page(
      customerId,
      { ...query, ...(cursor ? { cursor: decodeCursor(cursor) ?? undefined } : {}) },
      at,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export function describeTimelineReadModelContract(adapter: TimelineReadModelUnderTest): void {
  describe(`TimelineReadModel contract: ${adapter.name}`, () => {
    let model: TimelineReadModel;
    openModelPerTest(adapter, (opened) => (model = opened));

    it('starts empty at checkpoint 0', async () => {
      expect(await model.checkpoint()).toBe(0);
      expect(await model.page('c-1', { limit: 10 })).toEqual({ items: [], nextCursor: null });
    });

    it('orders by occurredAt newest first, ties by log position, whatever the arrival order', async () => {
      const t = '2026-03-01T10:00:00.000Z';
      await model.apply(
        [
          entry(1),
          entry(2, { occurredAt: t }),
          entry(3, { occurredAt: '2025-12-01T00:00:00.000Z' }),
          entry(4, { occurredAt: t }),
        ],
        { after: 0, upTo: 4 },
      );
      const page = await model.page('c-1', { limit: 10 });
      expect(page.items.map((e) => e.position)).toEqual([4, 2, 1, 3]);
      expect(await model.checkpoint()).toBe(4);
    });

    it('keeps customers apart and finds a customer by identity', async () => {
      await model.apply(
        [
          entry(1),
          entry(2, { customerId: 'c-2', identity: { kind: 'phone', value: '+4930123456' } }),
        ],
        { after: 0, upTo: 2 },
      );
      expect((await model.page('c-2', { limit: 10 })).items.map((e) => e.position)).toEqual([2]);
      expect(await model.customerByIdentity('phone:+4930123456')).toBe('c-2');
      expect(await model.customerByIdentity('email:ann@example.com')).toBe('c-1');
      expect(await model.customerByIdentity('email:nobody@example.com')).toBeNull();
    });

    it('filters by channel, direction, type and time range', async () => {
      const entries = Array.from({ length: 40 }, (_, i) =>
        entry(i + 1, i % 5 === 0 ? { type: 'survey.responded', channel: 'survey' } : {}),
      );
      await model.apply(entries, { after: 0, upTo: 40 });
      const ids = (list: TimelineEntry[]) => list.map((e) => e.position);
      const expected = (pred: (e: TimelineEntry) => boolean) => ids(entries.filter(pred).reverse());

      expect(ids(await allPages(model, 'c-1', { limit: 3, channels: ['email', 'chat'] }))).toEqual(
        expected((e) => e.channel === 'email' || e.channel === 'chat'),
      );
      expect(ids(await allPages(model, 'c-1', { limit: 4, directions: ['outbound'] }))).toEqual(
        expected((e) => e.direction === 'outbound'),
      );
      expect(
        ids(await allPages(model, 'c-1', { limit: 100, types: ['survey.responded'] })),
      ).toEqual(expected((e) => e.type === 'survey.responded'));
      const from = entries[9].occurredAt;
      const to = entries[19].occurredAt;
      expect(ids(await allPages(model, 'c-1', { limit: 4, from, to }))).toEqual(
        expected((e) => e.occurredAt >= from && e.occurredAt < to),
      );
    });

    it('pages with a cursor cover the timeline exactly once, stable under concurrent appends', async () => {
      await model.apply(
        Array.from({ length: 25 }, (_, i) => entry(i + 1)),
        { after: 0, upTo: 25 },
      );
      const first = await model.page('c-1', { limit: 10 });
      expect(first.items.map((e) => e.position)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
      // New (and late, back-dated) events arrive while the client pages.
      await model.apply([entry(26), entry(27), entry(28, { occurredAt: entry(0).occurredAt })], {
        after: 25,
        upTo: 28,
      });
      const seen = [...first.items];
      let cursor = first.nextCursor;
      while (cursor) {
        const page = await model.page('c-1', {
          limit: 10,
          cursor: decodeCursor(cursor) ?? undefined,
        });
        seen.push(...page.items);
        cursor = page.nextCursor;
      }
      const positions = seen.map((e) => e.position);
      expect(positions.slice(0, 25)).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i));
      expect(new Set(positions).size).toBe(positions.length);
      expect(positions).toContain(28); // older than everything: it shows on the last page
      expect(positions).not.toContain(26); // newer than the first page: the next fresh query shows it
    });

    it('refuses a batch that does not continue from its checkpoint, writing nothing', async () => {
      const batch = [entry(1), entry(2), entry(3)];
      await model.apply(batch, { after: 0, upTo: 3 });
      // Delivered again (after a crash before the consumer learnt of the write):
      await expect(model.apply(batch, { after: 0, upTo: 3 })).rejects.toMatchObject({
        name: 'CheckpointMismatchError',
        expected: 0,
        actual: 3,
      });
      // A gap (a writer that lost its place) is refused as well:
      await expect(model.apply([entry(5)], { after: 4, upTo: 5 })).rejects.toBeInstanceOf(
        CheckpointMismatchError,
      );
      await model.apply([entry(4)], { after: 3, upTo: 4 });
      expect((await model.page('c-1', { limit: 10 })).items.map((e) => e.position)).toEqual([
        4, 3, 2, 1,
      ]);
      expect(await model.checkpoint()).toBe(4);
    });

    it('a customer timeline is the union of its identities: time order, ties by position, once', async () => {
      const t = '2026-03-01T10:00:00.000Z';
      const entries = [
        entry(1, { customerId: 'c-a', identity: ANN }),
        entry(2, { customerId: 'c-p', identity: ANN_PHONE, occurredAt: t }),
        entry(3, { customerId: 'c-a', identity: ANN, occurredAt: t }),
        entry(4, { customerId: 'c-p', identity: ANN_PHONE }),
        entry(5, { customerId: 'c-a', identity: ANN, occurredAt: '2025-12-01T00:00:00.000Z' }),
        entry(6, { customerId: 'c-b', identity: BOB }),
      ];
      await model.apply(
        entries,
        { after: 0, upTo: 6 },
        linked([ANN, 'c-a'], [ANN_PHONE, 'c-a', ANN], [BOB, 'c-b']),
      );
      const expected = [3, 2, 4, 1, 5];
      expect((await model.page('c-a', { limit: 10 })).items.map((e) => e.position)).toEqual(
        expected,
      );
      expect((await allPages(model, 'c-a', { limit: 2 })).map((e) => e.position)).toEqual(expected);
      expect(
        (
          await allPages(model, 'c-a', {
            limit: 1,
            channels: ['email', 'chat', 'social', 'in_person'],
          })
        ).map((e) => e.position),
      ).toEqual(expected.filter((p) => entries[p - 1].channel !== 'phone'));
      expect(await model.customerByIdentity('phone:+4930123456')).toBe('c-a');
      expect((await model.page('c-b', { limit: 10 })).items.map((e) => e.position)).toEqual([6]);
    });

    it('an identity linked in one batch and unlinked in a later one leaves with its entries', async () => {
      await model.apply(
        [
          entry(1, { customerId: 'c-a', identity: ANN }),
          entry(2, { customerId: 'c-p', identity: ANN_PHONE }),
        ],
        { after: 0, upTo: 2 },
        linked([ANN, 'c-a'], [ANN_PHONE, 'c-a', ANN]),
      );
      expect((await model.page('c-a', { limit: 10 })).items.map((e) => e.position)).toEqual([2, 1]);
      await model.apply(
        [entry(3, { customerId: 'c-p', identity: ANN_PHONE })],
        { after: 2, upTo: 3 },
        [
          identityUnlinked({
            identity: ANN_PHONE,
            fromCustomerId: 'c-a',
            toCustomerId: 'c-p',
            by: STAFF,
            at: AT,
            reason: 'explicit-unlink',
          }),
        ],
      );
      expect((await model.page('c-a', { limit: 10 })).items.map((e) => e.position)).toEqual([1]);
      expect((await model.page('c-p', { limit: 10 })).items.map((e) => e.position)).toEqual([3, 2]);
      expect(await model.customerByIdentity('phone:+4930123456')).toBe('c-p');
    });

    /** Ann (1, 3) and Bob (2, 4), each a customer of their own, up to position 4. */
    const annAndBob = () =>
      model.apply(
        [
          entry(1, { customerId: 'c-a', identity: ANN }),
          entry(2, { customerId: 'c-b', identity: BOB }),
          entry(3, { customerId: 'c-a', identity: ANN }),
          entry(4, { customerId: 'c-b', identity: BOB }),
        ],
        { after: 0, upTo: 4 },
        ANN_AND_BOB,
      );

    it('a merged id answers for its survivor everywhere, and an unmerge splits back exactly', async () => {
      await annAndBob();
      const positions = async (id: string) =>
        (await allPages(model, id, { limit: 3 })).map((e) => e.position);
      await model.apply([], { after: 4, upTo: 5 }, [merged('c-a', 'c-b')]);
      expect(await positions('c-a')).toEqual([4, 3, 2, 1]);
      expect(await positions('c-b')).toEqual([4, 3, 2, 1]);
      expect(await model.customerByIdentity('email:bob@example.com')).toBe('c-a');
      expect(await model.resolveCustomer('c-b')).toBe('c-a');
      const profile = await model.profile('c-b');
      expect(profile).toMatchObject({
        customerId: 'c-a',
        redirectedFrom: 'c-b',
        identities: [ANN, BOB],
        mergedCustomers: ['c-b'],
        touchpoints: 4,
      });
      expect(profile?.mergeHistory.map((m) => [m.action, m.survivorId, m.mergedId])).toEqual([
        ['merged', 'c-a', 'c-b'],
      ]);

      await model.apply([entry(6, { customerId: 'c-b', identity: BOB })], { after: 5, upTo: 6 }, [
        unmerged('c-a', 'c-b'),
      ]);
      expect(await positions('c-a')).toEqual([3, 1]);
      expect(await positions('c-b')).toEqual([6, 4, 2]);
      expect(await model.customerByIdentity('email:bob@example.com')).toBe('c-b');
      expect(await model.resolveCustomer('c-b')).toBe('c-b');
      expect((await model.profile('c-a'))?.mergeHistory.map((m) => m.action)).toEqual([
        'merged',
        'unmerged',
      ]);
    });

    it('filters follow merges, unmerges and erasures, alone or combined, and match nothing when nothing has the value', async () => {
      const entries = Array.from({ length: 24 }, (_, i) =>
        entry(i + 1, {
          customerId: i % 2 ? 'c-b' : 'c-a',
          identity: i % 2 ? BOB : ANN,
          ...(i % 4 === 3 ? { type: 'survey.responded', channel: 'survey' as const } : {}),
        }),
      );
      await model.apply(entries, { after: 0, upTo: 24 }, ANN_AND_BOB);
      const of = async (id: string, query: Omit<TimelineQuery, 'cursor' | 'limit'>) =>
        (await allPages(model, id, { limit: 2, ...query })).map((e) => e.position);
      const expected = (ids: string[], query: Omit<TimelineQuery, 'cursor' | 'limit'>) =>
        entries
          .filter(
            (e) => ids.includes(e.customerId) && matchesTimelineFilter(e, { limit: 1, ...query }),
          )
          .map((e) => e.position)
          .reverse();
      const filters: Omit<TimelineQuery, 'cursor' | 'limit'>[] = [
        { types: ['survey.responded'] },
        { types: ['zzz'] },
        { channels: ['chat', 'survey'], directions: ['inbound'] },
        { channels: ['email'], directions: ['outbound'], types: ['touchpoint.recorded'] },
        { directions: ['outbound'], types: ['survey.responded', 'zzz'] },
      ];
      for (const filter of filters) {
        expect([filter, await of('c-a', filter)]).toEqual([filter, expected(['c-a'], filter)]);
      }
      await model.apply([], { after: 24, upTo: 25 }, [merged('c-a', 'c-b')]);
      for (const filter of filters)
        for (const id of ['c-a', 'c-b'])
          expect([filter, id, await of(id, filter)]).toEqual([
            filter,
            id,
            expected(['c-a', 'c-b'], filter),
          ]);
      await model.apply([], { after: 25, upTo: 26 }, [unmerged('c-a', 'c-b')]);
      for (const filter of filters)
        expect([filter, await of('c-b', filter)]).toEqual([filter, expected(['c-b'], filter)]);
      // Bob forgotten: nothing of his is found by any filter; back again, only what is new.
      const erasure: CustomerErasedV1 = {
        customerId: 'c-b',
        erasedCustomerIds: ['c-b'],
        identityKeys: [identityKey(BOB)],
        reason: 'ticket-21',
        requestedBy: 'cli',
        at: AT,
      };
      await model.apply([], { after: 26, upTo: 27 }, [], { erasures: [erasure] });
      for (const filter of filters) expect([filter, await of('c-b', filter)]).toEqual([filter, []]);
      const back = entry(28, {
        customerId: 'c-b',
        identity: BOB,
        type: 'survey.responded',
        channel: 'survey',
      });
      await model.apply([back], { after: 27, upTo: 28 }, [], { unerased: ['c-b'] });
      expect(await of('c-b', { types: ['survey.responded'] })).toEqual([28]);
      expect(await of('c-b', { channels: ['survey'], directions: [back.direction] })).toEqual([28]);
      expect(await of('c-a', filters[0])).toEqual(expected(['c-a'], filters[0]));
    });

    it('a profile sums identities: channels, counts per channel, first and last contact', async () => {
      await model.apply(
        [
          entry(1, { customerId: 'c-a', identity: ANN, channel: 'email' }),
          entry(2, { customerId: 'c-p', identity: ANN_PHONE, channel: 'phone' }),
          entry(3, { customerId: 'c-a', identity: ANN, channel: 'chat' }),
          entry(4, { customerId: 'c-a', identity: ANN, channel: 'email' }),
        ],
        { after: 0, upTo: 4 },
        linked([ANN, 'c-a'], [ANN_PHONE, 'c-a', ANN]),
      );
      expect(await model.profile('c-a')).toEqual({
        customerId: 'c-a',
        identities: [ANN, ANN_PHONE],
        mergedCustomers: [],
        channels: ['chat', 'email', 'phone'],
        touchpointsPerChannel: { chat: 1, email: 2, phone: 1 },
        touchpoints: 4,
        firstContact: entry(1).occurredAt,
        lastContact: entry(4).occurredAt,
        mergeHistory: [],
        openMergeSuggestions: [],
      });
      expect(await model.profile('c-nobody')).toBeNull();
      expect(await model.resolveCustomer('c-nobody')).toBeNull();
    });

    it('a customer the graph has not met yet is the customer its identity started', async () => {
      await model.apply([entry(1), entry(2)], { after: 0, upTo: 2 });
      expect(await model.resolveCustomer('c-1')).toBe('c-1');
      expect(await model.profile('c-1')).toMatchObject({
        customerId: 'c-1',
        identities: [{ kind: 'email', value: 'ann@example.com' }],
        touchpoints: 2,
      });
    });

    it('the id a touchpoint was filed under answers for the customer its identity was linked to', async () => {
      // The phone's first touchpoint is filed for its own id ('c-p'); resolution then links
      // the phone to Ann's customer instead of starting 'c-p', which no decision creates.
      await model.apply(
        [
          entry(1, { customerId: 'c-a', identity: ANN }),
          entry(2, { customerId: 'c-p', identity: ANN_PHONE, channel: 'phone' }),
        ],
        { after: 0, upTo: 4 },
        linked([ANN, 'c-a'], [ANN_PHONE, 'c-a', ANN]),
      );
      expect(await model.resolveCustomer('c-p')).toBe('c-a');
      const page = await model.page('c-p', { limit: 10 });
      expect(page.items.map((e) => e.position)).toEqual([2, 1]);
      const profile = await model.profile('c-p');
      expect(profile?.customerId).toBe('c-a');
      expect(profile?.redirectedFrom).toBe('c-p');
      expect(profile?.identities).toHaveLength(2);
    });

    it('moves the checkpoint even when a batch adds no entry', async () => {
      await model.apply([], { after: 0, upTo: 17 });
      expect(await model.checkpoint()).toBe(17);
    });

    describe('as of a past log position (time travel)', () => {
      const positions = async (id: string, at: TimelineAsOf, limit = 3) =>
        (await allPages(model, id, { limit }, at)).map((e) => e.position);
      /** Ann and Bob up to 4; Bob merged into Ann at 5; Bob again at 6. */
      const annAndBobMergedAt5 = async () => {
        await annAndBob();
        await model.apply([], { after: 4, upTo: 5 }, [merged('c-a', 'c-b')]);
        await model.apply([entry(6, { customerId: 'c-b', identity: BOB })], { after: 5, upTo: 6 });
      };

      it('a merge after the position is not applied: each customer is still its own', async () => {
        await annAndBobMergedAt5();
        const before = asOf(4, ...ANN_AND_BOB);
        expect(await positions('c-a', before)).toEqual([3, 1]);
        expect(await positions('c-b', before)).toEqual([4, 2]);
        expect(await model.resolveCustomer('c-b', before)).toBe('c-b');
        expect(await model.customerByIdentity('email:bob@example.com', before)).toBe('c-b');
        const profile = await model.profile('c-b', before);
        expect(profile).toMatchObject({
          customerId: 'c-b',
          identities: [BOB],
          mergedCustomers: [],
          touchpoints: 2,
          lastContact: entry(4).occurredAt,
          mergeHistory: [],
        });
        expect(profile).not.toHaveProperty('redirectedFrom');
        // The same model now, and as of the head: merged.
        const head = asOf(6, ...ANN_AND_BOB, merged('c-a', 'c-b'));
        expect(await positions('c-b', head)).toEqual([6, 4, 3, 2, 1]);
        expect(await positions('c-b', head)).toEqual(
          (await allPages(model, 'c-b', { limit: 3 })).map((e) => e.position),
        );
        expect(await model.profile('c-b', head)).toEqual(await model.profile('c-b'));
        expect(await model.resolveCustomer('c-b')).toBe('c-a');
      });

      it('an unmerge after the position is not applied: the merge still holds then', async () => {
        await annAndBobMergedAt5();
        await model.apply([], { after: 6, upTo: 7 }, [unmerged('c-a', 'c-b')]);
        await model.apply([entry(8, { customerId: 'c-b', identity: BOB })], { after: 7, upTo: 8 });
        const between = asOf(6, ...ANN_AND_BOB, merged('c-a', 'c-b'));
        expect(await positions('c-a', between)).toEqual([6, 4, 3, 2, 1]);
        expect(await positions('c-b', between)).toEqual([6, 4, 3, 2, 1]);
        expect(await model.resolveCustomer('c-b', between)).toBe('c-a');
        expect(await model.customerByIdentity('email:bob@example.com', between)).toBe('c-a');
        const profile = await model.profile('c-b', between);
        expect(profile).toMatchObject({
          customerId: 'c-a',
          redirectedFrom: 'c-b',
          identities: [ANN, BOB],
          mergedCustomers: ['c-b'],
          touchpoints: 5,
        });
        expect(profile?.mergeHistory.map((m) => m.action)).toEqual(['merged']);
        // Now: split back.
        expect((await allPages(model, 'c-b', { limit: 3 })).map((e) => e.position)).toEqual([
          8, 6, 4, 2,
        ]);
      });

      it('a link after the position is not applied: its entries are still their own customer', async () => {
        await model.apply(
          [
            entry(1, { customerId: 'c-a', identity: ANN }),
            entry(2, { customerId: 'c-p', identity: ANN_PHONE, channel: 'phone' }),
          ],
          { after: 0, upTo: 2 },
          linked([ANN, 'c-a'], [ANN_PHONE, 'c-p']),
        );
        const link = identityLinked({
          identity: ANN_PHONE,
          customerId: 'c-a',
          via: ANN,
          by: STAFF,
          at: AT,
          reason: 'explicit-link',
        });
        await model.apply([], { after: 2, upTo: 3 }, [link]);
        const before = asOf(2, ...linked([ANN, 'c-a'], [ANN_PHONE, 'c-p']));
        expect(await positions('c-a', before)).toEqual([1]);
        expect(await model.customerByIdentity('phone:+4930123456', before)).toBe('c-p');
        expect((await model.profile('c-a', before))?.identities).toEqual([ANN]);
        expect(await model.customerByIdentity('phone:+4930123456')).toBe('c-a');
      });

      it('entries after the position are absent: from pages, counts, first and last contact', async () => {
        await model.apply(
          [
            entry(1, { customerId: 'c-a', identity: ANN, channel: 'email' }),
            entry(2, { customerId: 'c-a', identity: ANN, channel: 'chat' }),
            entry(3, { customerId: 'c-a', identity: ANN, channel: 'email' }),
          ],
          { after: 0, upTo: 3 },
          linked([ANN, 'c-a']),
        );
        await model.apply(
          [
            entry(4, { customerId: 'c-a', identity: ANN, channel: 'social' }),
            // Late and back-dated: older than everything, recorded after the position.
            entry(5, { customerId: 'c-a', identity: ANN, occurredAt: '2025-01-01T00:00:00.000Z' }),
          ],
          { after: 3, upTo: 5 },
        );
        const at3 = asOf(3, ...linked([ANN, 'c-a']));
        expect(await positions('c-a', at3, 2)).toEqual([3, 2, 1]);
        expect(await model.profile('c-a', at3)).toEqual({
          customerId: 'c-a',
          identities: [ANN],
          mergedCustomers: [],
          channels: ['chat', 'email'],
          touchpointsPerChannel: { chat: 1, email: 2 },
          touchpoints: 3,
          firstContact: entry(1).occurredAt,
          lastContact: entry(3).occurredAt,
          mergeHistory: [],
          openMergeSuggestions: [],
        });
        // Before anything: nobody.
        const empty = asOf(0);
        expect(await positions('c-a', empty)).toEqual([]);
        expect(await model.profile('c-a', empty)).toBeNull();
        expect(await model.resolveCustomer('c-a', empty)).toBeNull();
        expect(await model.customerByIdentity('email:ann@example.com', empty)).toBeNull();
      });

      it('pages with cursors cover exactly the entries up to the position, with filters and across identities', async () => {
        const all = Array.from({ length: 60 }, (_, i) => {
          const position = i + 1;
          const phone = position % 4 === 0;
          return entry(position, {
            customerId: phone ? 'c-p' : 'c-a',
            identity: phone ? ANN_PHONE : ANN,
            // Every 7th arrives late, back-dated among the older entries.
            ...(position % 7 === 0 ? { occurredAt: entry(position - 30).occurredAt } : {}),
          });
        });
        const graph = linked([ANN, 'c-a'], [ANN_PHONE, 'c-a', ANN]);
        await model.apply(all.slice(0, 30), { after: 0, upTo: 30 }, graph);
        await model.apply(all.slice(30), { after: 30, upTo: 60 });
        const at = asOf(30, ...graph);
        const newestFirst = (list: TimelineEntry[]) =>
          [...list]
            .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.position - a.position)
            .map((e) => e.position);
        const upTo30 = all.slice(0, 30);
        for (const limit of [1, 2, 3, 7, 100]) {
          expect(await positions('c-a', at, limit)).toEqual(newestFirst(upTo30));
        }
        expect(
          (await allPages(model, 'c-a', { limit: 2, channels: ['email', 'chat'] }, at)).map(
            (e) => e.position,
          ),
        ).toEqual(newestFirst(upTo30.filter((e) => e.channel === 'email' || e.channel === 'chat')));
        // A cursor from a page as of the position continues as of it.
        const first = await model.page('c-a', { limit: 5 }, at);
        const next = await model.page(
          'c-a',
          { limit: 5, cursor: decodeCursor(first.nextCursor ?? '') ?? undefined },
          at,
        );
        expect([...first.items, ...next.items].map((e) => e.position)).toEqual(
          newestFirst(upTo30).slice(0, 10),
        );
      });

      it('a customer the graph did not know yet is the one its identity started, from its first entry on', async () => {
        await model.apply([entry(1), entry(2)], { after: 0, upTo: 2 });
        await model.apply([], { after: 2, upTo: 3 }, linked([ANN, 'c-1']));
        const at2 = asOf(2);
        expect(await model.resolveCustomer('c-1', at2)).toBe('c-1');
        expect(await model.customerByIdentity('email:ann@example.com', at2)).toBe('c-1');
        expect(await positions('c-1', at2)).toEqual([2, 1]);
        expect(await model.profile('c-1', asOf(1))).toMatchObject({
          customerId: 'c-1',
          identities: [ANN],
          touchpoints: 1,
        });
      });
    });

    it('clear forgets everything', async () => {
      await model.apply([entry(1)], { after: 0, upTo: 1 });
      await model.clear();
      expect(await model.checkpoint()).toBe(0);
      expect((await model.page('c-1', { limit: 10 })).items).toEqual([]);
      expect(await model.customerByIdentity('email:ann@example.com')).toBeNull();
    });
  });
}
