import { type ChannelIdentity, identityKey, identityLinked, type SeenName } from '@rapport/domain';
import { type AdapterUnderTest, openModelPerTest } from './adapter-under-test';
import { entry } from './timeline-read-model-contract';
import { findCustomersByName } from '../names/find-customers-by-name';
import { type TimelineReadModel } from '../timeline/timeline-read-model';

const ANN: ChannelIdentity = { kind: 'email', value: 'ann@example.com' };
const ANN_CHAT: ChannelIdentity = { kind: 'chat', value: 'visitor-1' };
const BOB: ChannelIdentity = { kind: 'email', value: 'bob@example.com' };
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1) + minute * 60_000).toISOString();
const seen = (name: string, minute: number, position: number): SeenName => ({
  name,
  occurredAt: at(minute),
  position,
});

/**
 * The name index of a timeline read model (`CustomerNames`): every adapter passes it.
 * Names arrive with the batches of the timeline projection, keyed by identity.
 */
export function describeCustomerNamesContract(adapter: AdapterUnderTest<TimelineReadModel>): void {
  describe(`CustomerNames contract: ${adapter.name}`, () => {
    let model: TimelineReadModel;
    openModelPerTest(adapter, (opened) => (model = opened));

    /** One batch: an entry per name (at its position), the names beside them. */
    async function applyNames(after: number, names: [ChannelIdentity, string, SeenName][]) {
      const entries = names.map(([identity, customerId, s]) =>
        entry(s.position, { identity, customerId, occurredAt: s.occurredAt }),
      );
      const upTo = Math.max(after + 1, ...names.map(([, , s]) => s.position));
      const map = new Map(names.map(([identity, , s]) => [identityKey(identity), s]));
      await model.apply(entries, { after, upTo }, [], { names: map });
      return upTo;
    }

    it('keeps the latest name of each identity, whatever order batches bring them in', async () => {
      let position = await applyNames(0, [[ANN, 'c-a', seen('Ann Smith', 10, 1)]]);
      position = await applyNames(position, [[ANN, 'c-a', seen('Ann S.', 5, 2)]]); // older
      expect(await model.namesOf([identityKey(ANN), identityKey(BOB)])).toEqual(
        new Map([[identityKey(ANN), seen('Ann Smith', 10, 1)]]),
      );
      await applyNames(position, [[ANN, 'c-a', seen('Ann Jones', 20, 3)]]);
      expect((await model.namesOf([identityKey(ANN)])).get(identityKey(ANN))?.name).toBe(
        'Ann Jones',
      );
      // The replaced name is no longer found; the new one is.
      expect(await model.searchNames('smith', 10)).toEqual([]);
      expect((await model.searchNames('jon', 10)).map((m) => m.identityKey)).toEqual([
        identityKey(ANN),
      ]);
    });

    it('finds names by a prefix of any word, folded for case and diacritics', async () => {
      await applyNames(0, [
        [ANN, 'c-a', seen('Ánna María Rossi', 1, 1)],
        [BOB, 'c-b', seen('Bob Ross', 2, 2)],
        [{ kind: 'email', value: 'zoe@example.com' }, 'c-z', seen('Zoë Anders', 3, 3)],
      ]);
      const keysFor = async (prefix: string) =>
        (await model.searchNames(prefix, 10)).map((m) => m.name.name);
      expect(await keysFor('ANNA')).toEqual(['Ánna María Rossi']);
      expect(await keysFor('maria r')).toEqual(['Ánna María Rossi']);
      expect(await keysFor('ross')).toEqual(['Bob Ross', 'Ánna María Rossi']); // by term
      expect(await keysFor('zoe')).toEqual(['Zoë Anders']);
      expect(await keysFor('an')).toEqual(['Zoë Anders', 'Ánna María Rossi'].sort(byTerm('an')));
      expect(await keysFor('x')).toEqual([]);
      expect(await keysFor('   ')).toEqual([]);
      expect(await keysFor('ross')).toHaveLength(2);
      expect(await model.searchNames('ross', 1)).toHaveLength(1);
    });

    it('finds each identity once even when several of its terms match', async () => {
      await applyNames(0, [[ANN, 'c-a', seen('Anna Anna Annabel', 1, 1)]]);
      expect(await model.searchNames('ann', 10)).toEqual([
        { identityKey: identityKey(ANN), name: seen('Anna Anna Annabel', 1, 1) },
      ]);
    });

    it('finds customers: merged and linked identities answer as their customer, once', async () => {
      await model.apply([], { after: 0, upTo: 1 }, [
        identityLinked({
          identity: ANN,
          customerId: 'c-a',
          by: { kind: 'adapter', source: 't' },
          at: at(0),
          reason: 'first-seen',
        }),
        identityLinked({
          identity: ANN_CHAT,
          customerId: 'c-a',
          via: ANN,
          by: { kind: 'adapter', source: 't' },
          at: at(0),
          reason: 'seen-together',
        }),
      ]);
      await applyNames(1, [
        [ANN, 'c-a', seen('Ann Smith', 1, 2)],
        [ANN_CHAT, 'c-chat', seen('Annie', 2, 3)],
      ]);
      expect(await findCustomersByName(model, 'ann', 10)).toEqual([
        { customerId: 'c-a', name: 'Ann Smith', seenAt: at(1) },
      ]);
    });

    it('forgets an erased person’s names: not shown, not found', async () => {
      const position = await applyNames(0, [
        [ANN, 'c-a', seen('Ann Smith', 1, 1)],
        [BOB, 'c-b', seen('Bob Smith', 2, 2)],
      ]);
      await model.apply([], { after: position, upTo: position + 1 }, [], {
        erasures: [
          {
            customerId: 'c-a',
            erasedCustomerIds: ['c-a'],
            identityKeys: [identityKey(ANN)],
            reason: 'test',
            requestedBy: 'test',
            at: at(3),
          },
        ],
      });
      expect(await model.namesOf([identityKey(ANN)])).toEqual(new Map());
      expect((await model.searchNames('smith', 10)).map((m) => m.name.name)).toEqual(['Bob Smith']);
      expect(await findCustomersByName(model, 'ann', 10)).toEqual([]);
    });

    it('forgets every name on clear', async () => {
      await applyNames(0, [[ANN, 'c-a', seen('Ann Smith', 1, 1)]]);
      await model.clear();
      expect(await model.searchNames('ann', 10)).toEqual([]);
      expect(await model.namesOf([identityKey(ANN)])).toEqual(new Map());
    });
  });
}

/** Names in the order of their terms that start with `prefix` (what a search answers). */
function byTerm(prefix: string) {
  const term = (name: string) =>
    name
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .split(' ')
      .map((_, i, words) => words.slice(i).join(' '))
      .filter((t) => t.startsWith(prefix))
      .sort()[0];
  return (a: string, b: string) => (term(a) < term(b) ? -1 : 1);
}
