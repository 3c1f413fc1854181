import {
  type ChannelIdentity,
  customerMerged,
  customerMergeSuggested,
  customerMergeSuggestionDismissed,
  customerUnmerged,
  type IdentityGraphEvent,
  identityKey,
  identityLinked,
} from '@rapport/domain';
import { type AdapterUnderTest, openModelPerTest } from './adapter-under-test';
import { type TimelineReadModel } from '../timeline/timeline-read-model';

const STAFF = { kind: 'staff', staffId: 'supervisor-1' } as const;
const ADAPTER = { kind: 'adapter', source: 'test' } as const;
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1) + minute * 60_000).toISOString();
const person = (n: number): ChannelIdentity => ({ kind: 'email', value: `p${n}@example.com` });
const id = (n: number) => `c-${n}`;

const firstSeen = (n: number) =>
  identityLinked({
    identity: person(n),
    customerId: id(n),
    by: ADAPTER,
    at: at(0),
    reason: 'first-seen',
  });
const suggested = (a: number, b: number, minute: number) =>
  customerMergeSuggested({
    survivorId: id(a),
    mergedId: id(b),
    evidence: [person(a), person(b)],
    by: ADAPTER,
    at: at(minute),
    reason: 'unverified-identity',
  });
const dismissed = (a: number, b: number) =>
  customerMergeSuggestionDismissed({ survivorId: id(a), mergedId: id(b), by: STAFF, at: at(99) });
const merged = (a: number, b: number) =>
  customerMerged({
    survivorId: id(a),
    mergedId: id(b),
    evidence: [],
    by: STAFF,
    at: at(99),
    reason: 'staff-decision',
  });
const unmerged = (a: number, b: number) =>
  customerUnmerged({
    survivorId: id(a),
    mergedId: id(b),
    by: STAFF,
    at: at(99),
    reason: 'staff-decision',
  });

/** The queue of every open merge suggestion (`MergeSuggestionQueue`): every adapter passes it. */
export function describeMergeSuggestionQueueContract(
  adapter: AdapterUnderTest<TimelineReadModel>,
): void {
  describe(`MergeSuggestionQueue contract: ${adapter.name}`, () => {
    let model: TimelineReadModel;
    let position = 0;
    openModelPerTest(adapter, (opened) => {
      model = opened;
      position = 0;
    });
    const apply = async (...events: IdentityGraphEvent[]) => {
      await model.apply([], { after: position, upTo: position + 1 }, events);
      position += 1;
    };
    const queue = async (limit = 50) =>
      (await model.openMergeSuggestions(limit)).map(
        (q) => `${q.survivor.customerId}<-${q.merged.customerId}`,
      );

    it('lists open suggestions oldest first, with each side as it is now', async () => {
      await apply(...[1, 2, 3, 4, 5].map(firstSeen), suggested(1, 2, 10), suggested(3, 4, 5));
      expect(await queue()).toEqual(['c-3<-c-4', 'c-1<-c-2']);
      expect(await queue(1)).toEqual(['c-3<-c-4']);
      const [first] = await model.openMergeSuggestions(1);
      expect(first.suggestion).toMatchObject({ survivorId: 'c-3', mergedId: 'c-4', at: at(5) });
      expect(first.survivor.identityKeys).toEqual([identityKey(person(3))]);
      // A side merged into another customer answers as that customer.
      await apply(merged(5, 4));
      expect(await queue()).toEqual(['c-3<-c-5', 'c-1<-c-2']);
    });

    it('drops a suggestion once dismissed, merged, or kept apart by an unmerge', async () => {
      await apply(...[1, 2, 3, 4, 5, 6].map(firstSeen));
      await apply(suggested(1, 2, 1), suggested(3, 4, 2), suggested(5, 6, 3));
      await apply(dismissed(1, 2));
      expect(await queue()).toEqual(['c-3<-c-4', 'c-5<-c-6']);
      await apply(merged(4, 3)); // the other way round
      expect(await queue()).toEqual(['c-5<-c-6']);
      await apply(merged(5, 6), unmerged(5, 6));
      expect(await queue()).toEqual([]);
    });

    it('leaves out erased customers’ suggestions', async () => {
      await apply(...[1, 2, 3, 4].map(firstSeen), suggested(1, 2, 1), suggested(3, 4, 2));
      await model.apply([], { after: position, upTo: position + 1 }, [], {
        erasures: [
          {
            customerId: id(2),
            erasedCustomerIds: [id(2)],
            identityKeys: [identityKey(person(2))],
            reason: 'test',
            requestedBy: 'test',
            at: at(50),
          },
        ],
      });
      expect(await queue()).toEqual(['c-3<-c-4']);
    });
  });
}
