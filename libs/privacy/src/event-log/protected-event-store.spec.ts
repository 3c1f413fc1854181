import { randomBytes, randomUUID } from 'node:crypto';
import { isErased, SEALED_FIELD } from '@rapport/domain';
import { openEventStore, type RecordedEvent } from '@rapport/event-store';
import { LocalMasterKeyWrapper } from '../keys/key-wrapper';
import { WrappedSubjectKeyStore } from '../keys/subject-key-store';
import { MemoryWrappedKeyTable } from '../memory/memory-wrapped-key-table';
import { withPersonalDataProtection } from './protected-event-store';

const touchpoint = (customerId: string, text: string) => ({
  id: randomUUID(),
  type: 'touchpoint.recorded.v1',
  data: {
    channel: 'email',
    direction: 'inbound',
    identity: { kind: 'email', value: '~abcdefghijklmnopqrstuv', plainValue: 'ann@example.com' },
    content: { text },
  },
  metadata: { customerId, identityKey: 'email:~abcdefghijklmnopqrstuv' },
});

describe('withPersonalDataProtection', () => {
  it('stores sealed fields, opens them on read, and reads them as erased once the key is destroyed', async () => {
    const raw = await openEventStore('sqlite::memory:');
    const keys = new WrappedSubjectKeyStore(
      new MemoryWrappedKeyTable(),
      new LocalMasterKeyWrapper(randomBytes(32)),
    );
    const store = withPersonalDataProtection(raw, keys);
    await store.append('customer-a', [touchpoint('a', 'secret words'), touchpoint('a', 'more')]);
    await store.append('customer-b', [touchpoint('b', 'bob keeps this')]);

    const stored = await raw.readAll();
    expect(JSON.stringify(stored)).not.toContain('secret words');
    expect(JSON.stringify(stored)).not.toContain('ann@example.com');
    expect((stored[0].data as { content: { text: string } }).content.text).toBe(SEALED_FIELD);

    const text = (e: { data: unknown }) => (e.data as { content: { text: unknown } }).content.text;
    for (let read = 0; read < 2; read++)
      expect((await store.readAll()).map(text)).toEqual(['secret words', 'more', 'bob keeps this']);

    await keys.destroy(['a']);
    const after = await store.readAll();
    expect(isErased(text(after[0]))).toBe(true);
    expect(
      isErased((after[1].data as { identity: { plainValue: unknown } }).identity.plainValue),
    ).toBe(true);
    expect(text(after[2])).toBe('bob keeps this');
    // A subscription gets opened only the events it says it reads; the others as stored.
    const seen = async (personalDataOf?: (event: RecordedEvent) => boolean) => {
      const texts: unknown[] = [];
      const subscription = store.subscribeToAll(personalDataOf ? { personalDataOf } : {}, {
        onEvents: (events) => void texts.push(...events.map(text)),
        onCaughtUp: () => void subscription.stop(),
      });
      await subscription.finished;
      return texts.map((t) => (isErased(t) ? 'erased' : t));
    };
    expect(await seen(() => false)).toEqual([SEALED_FIELD, SEALED_FIELD, SEALED_FIELD]);
    const ofBob = (event: RecordedEvent) =>
      (event.metadata as { customerId: string }).customerId === 'b';
    expect(await seen(ofBob)).toEqual([SEALED_FIELD, SEALED_FIELD, 'bob keeps this']);
    expect(await seen()).toEqual(['erased', 'erased', 'bob keeps this']);
    await store.close();
  });

  it('reads what was sealed under a destroyed key as erased once the subject has a new one; other damage throws', async () => {
    const raw = await openEventStore('sqlite::memory:');
    const keys = new WrappedSubjectKeyStore(
      new MemoryWrappedKeyTable(),
      new LocalMasterKeyWrapper(randomBytes(32)),
    );
    const store = withPersonalDataProtection(raw, keys);
    const text = (e: { data: unknown }) => (e.data as { content: { text: unknown } }).content.text;
    await store.append('customer-a', [touchpoint('a', 'before')]);
    await keys.destroy(['a']);
    await store.append('customer-a', [touchpoint('a', 'after coming back')]);
    await store.append('customer-b', [touchpoint('b', 'bob')]);
    const opened = (await store.readAll()).map(text);
    expect(isErased(opened[0])).toBe(true);
    expect(opened.slice(1)).toEqual(['after coming back', 'bob']);
    // Bob's envelope moved to another event does not authenticate, and Bob was never erased.
    const [, , bobs] = await raw.readAll();
    await raw.append('customer-b', [{ ...touchpoint('b', ''), metadata: bobs.metadata as never }]);
    await expect(store.readAll()).rejects.toThrow(/does not authenticate/);
    await store.close();
  });
});
