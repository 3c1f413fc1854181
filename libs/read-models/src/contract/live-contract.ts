import { type LiveChange, type LiveChanges } from '../live/live-changes';
import { type PresenceStore } from '../live/presence-store';
import { type AdapterUnderTest, openModelPerTest } from './adapter-under-test';

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * What every backend of live changes does: two handles on one backend (a projector and a
 * query API) — what one publishes, every subscriber of the other hears, in order.
 */
export function describeLiveChangesContract(
  adapter: AdapterUnderTest<{ publisher: LiveChanges; subscriber: LiveChanges }>,
): void {
  describe(`live changes contract (${adapter.name})`, () => {
    let pair: { publisher: LiveChanges; subscriber: LiveChanges };
    openModelPerTest(adapter, (opened) => (pair = opened));

    it('delivers what is published after subscribing, in order, to every listener', async () => {
      const heard: LiveChange[] = [];
      const heardToo: LiveChange[] = [];
      const stop = await pair.subscriber.subscribe((change) => heard.push(change));
      await pair.subscriber.subscribe((change) => heardToo.push(change));
      const changes: LiveChange[] = [
        { kind: 'customers', customerIds: ['c1', 'c2'], position: 7 },
        { kind: 'presence', customerId: 'c1' },
        { kind: 'customers', customerIds: [], position: 9, all: true },
      ];
      for (const change of changes) await pair.publisher.publish(change);
      await until(() => heard.length === 3 && heardToo.length === 3);
      expect(heard).toEqual(changes);
      expect(heardToo).toEqual(changes);
      stop();
      await pair.publisher.publish({ kind: 'presence', customerId: 'c9' });
      await until(() => heardToo.length === 4);
      expect(heard).toHaveLength(3);
    });

    it('a listener that throws does not stop the others', async () => {
      const heard: LiveChange[] = [];
      await pair.subscriber.subscribe(() => {
        throw new Error('a broken page');
      });
      await pair.subscriber.subscribe((change) => heard.push(change));
      await pair.publisher.publish({ kind: 'presence', customerId: 'c1' });
      await pair.publisher.publish({ kind: 'presence', customerId: 'c2' });
      await until(() => heard.length === 2);
      expect(heard.map((c) => c.kind === 'presence' && c.customerId)).toEqual(['c1', 'c2']);
    });
  });
}

/** What every backend of presence does. */
export function describePresenceContract(adapter: AdapterUnderTest<PresenceStore>): void {
  describe(`presence contract (${adapter.name})`, () => {
    let presence: PresenceStore;
    openModelPerTest(adapter, (opened) => (presence = opened));
    const now = Date.now();
    const ann = { staffId: 's-ann', name: 'Ann' };
    const bob = { staffId: 's-bob', name: 'Bob' };

    it('lists who has a customer open, once per person, by name, until they leave or lapse', async () => {
      await presence.touch('c1', 'tab-1', bob, now + 30_000);
      await presence.touch('c1', 'tab-2', ann, now + 30_000);
      await presence.touch('c1', 'tab-3', ann, now + 10_000);
      await presence.touch('c2', 'tab-4', bob, now + 30_000);
      expect(await presence.viewers('c1', now)).toEqual([ann, bob]);
      await presence.leave('c1', 'tab-1');
      expect(await presence.viewers('c1', now)).toEqual([ann]);
      await presence.leave('c1', 'tab-2');
      expect(await presence.viewers('c1', now)).toEqual([ann]); // tab-3 until it lapses
      expect(await presence.viewers('c1', now + 10_000)).toEqual([]);
      expect(await presence.viewers('c2', now)).toEqual([bob]);
      expect(await presence.viewers('nobody', now)).toEqual([]);
      await presence.leave('c2', 'tab-4');
      await presence.leave('nobody', 'tab-9');
    });

    it('a touch renews a session and takes the latest name', async () => {
      await presence.touch('c1', 'tab-1', ann, now + 1_000);
      await presence.touch('c1', 'tab-1', { ...ann, name: 'Ann B.' }, now + 60_000);
      expect(await presence.viewers('c1', now + 30_000)).toEqual([{ ...ann, name: 'Ann B.' }]);
      await presence.leave('c1', 'tab-1');
    });
  });
}
