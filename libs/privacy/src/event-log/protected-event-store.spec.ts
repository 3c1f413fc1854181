import { randomBytes, randomUUID } from 'node:crypto';
import { CUSTOMER_ERASED_V1, ERASURE_STREAM, isErased, SEALED_FIELD } from '@rapport/domain';
import { EventIdConflictError, openEventStore, type RecordedEvent } from '@rapport/event-store';
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

/** A log in memory with its protection, and the key store and the log underneath it. */
async function protectedLog() {
  const raw = await openEventStore('sqlite::memory:');
  const keys = new WrappedSubjectKeyStore(
    new MemoryWrappedKeyTable(),
    new LocalMasterKeyWrapper(randomBytes(32)),
  );
  return { raw, keys, store: withPersonalDataProtection(raw, keys) };
}

describe('withPersonalDataProtection', () => {
  it('seals an event of several subjects per subject, in the order of its fields, and opens it whole', async () => {
    const { raw, keys, store } = await protectedLog();
    const by = (customerId: string, text: string) => ({
      author: { kind: 'customer', customerId },
      text,
    });
    // Comments of two customers, interleaved, and one by staff (not personal data).
    const merged = {
      id: randomUUID(),
      type: 'idea.merged.v1',
      data: {
        ideaId: 'i-2',
        mergedIdeaId: 'i-1',
        comments: [
          by('a', 'first of ann'),
          by('b', 'only of bob'),
          { author: { kind: 'staff', staffId: 's' }, text: 'staff says' },
          by('a', 'second of ann'),
        ],
      },
      metadata: { customerId: 'staff-x' },
    };
    await store.append('idea-i-2', [merged]);

    const [stored] = await raw.readAll();
    const envelope = (stored.metadata as { sealed: string[] }).sealed;
    expect(envelope).toEqual([
      'a',
      expect.stringMatching(/^enc:v2:/),
      'b',
      expect.stringMatching(/^enc:v2:/),
    ]);
    const storedTexts = (stored.data as typeof merged.data).comments.map((c) => c.text);
    expect(storedTexts).toEqual([SEALED_FIELD, SEALED_FIELD, 'staff says', SEALED_FIELD]);
    const [opened] = await store.readAll();
    expect(opened.data).toEqual(merged.data);
    expect(opened.metadata).toEqual(merged.metadata);

    // One subject's key destroyed: only that subject's texts read as erased, in their places.
    await keys.destroy(['a']);
    const [after] = await store.readAll();
    const texts = (after.data as typeof merged.data).comments.map((c) =>
      isErased(c.text) ? 'erased' : c.text,
    );
    expect(texts).toEqual(['erased', 'only of bob', 'staff says', 'erased']);
    await store.close();
  });

  it('stores sealed fields, opens them on read, and reads them as erased once the key is destroyed', async () => {
    const { raw, keys, store } = await protectedLog();
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
    const { raw, keys, store } = await protectedLog();
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

  it('finds an erasure the key table has no record of in the log, for one erased before it kept them', async () => {
    /** A key table as it was before it recorded erasures (ADR 0046). */
    class TableWithoutErasureLog extends MemoryWrappedKeyTable {
      override async erasedAmong(): Promise<Set<string>> {
        return new Set();
      }
    }
    const raw = await openEventStore('sqlite::memory:');
    const keys = new WrappedSubjectKeyStore(
      new TableWithoutErasureLog(),
      new LocalMasterKeyWrapper(randomBytes(32)),
    );
    const store = withPersonalDataProtection(raw, keys);
    const text = (e: { data: unknown }) => (e.data as { content: { text: unknown } }).content.text;
    await store.append('customer-a', [touchpoint('a', 'before')]);
    await keys.destroy(['a']);
    const erasure = (customerId: string) => ({
      id: randomUUID(),
      type: CUSTOMER_ERASED_V1,
      data: {
        customerId,
        erasedCustomerIds: [customerId],
        identityKeys: ['email:~abcdefghijklmnopqrstuv'],
        reason: 'test',
        requestedBy: 'cli',
        at: '2026-12-01T00:00:00.000Z',
      },
      metadata: {},
    });
    await store.append(ERASURE_STREAM, [erasure('someone-else')]);
    await store.append('customer-a', [touchpoint('a', 'after coming back')]);
    // Not in the erasure stream yet: damage, as far as anyone can tell.
    await expect(store.readAll()).rejects.toThrow(/does not authenticate/);
    await store.append(ERASURE_STREAM, [erasure('a')]);
    const opened = (await store.readAll())
      .filter((e) => e.type === 'touchpoint.recorded.v1')
      .map(text);
    expect(isErased(opened[0])).toBe(true);
    expect(opened[1]).toBe('after coming back');
    await store.close();
  });

  it('seals in format 2, opens logs sealed in format 1, and recognises a format-1 event delivered again', async () => {
    const { raw, keys, store } = await protectedLog();
    const before = withPersonalDataProtection(raw, keys, { sealFormat: 1 });
    const text = (e: { data: unknown }) => (e.data as { content: { text: unknown } }).content.text;
    const old = touchpoint('a', 'sealed before the upgrade');
    const fresh = touchpoint('a', 'sealed after it');
    await before.append('customer-a', [old]);
    await store.append('customer-a', [fresh]);

    const [v1, v2] = await raw.readAll();
    const sealedOf = (e: RecordedEvent) => (e.metadata as { sealed: unknown }).sealed;
    expect(sealedOf(v1)).toEqual({ a: expect.stringMatching(/^enc:v1:/) });
    // The event's own customer's: the sealed value alone.
    expect(sealedOf(v2)).toEqual(expect.stringMatching(/^enc:v2:[A-Za-z0-9_-]+$/));
    expect(JSON.stringify([v1, v2])).not.toContain('sealed before');
    expect(JSON.stringify([v1, v2])).not.toContain('ann@example.com');
    expect((await store.readAll()).map(text)).toEqual([
      'sealed before the upgrade',
      'sealed after it',
    ]);
    expect((await store.readAll())[1].metadata).toEqual(fresh.metadata);

    // Delivered again: the same bytes in its own format, so the log answers a duplicate.
    for (const again of [old, fresh]) {
      const result = await store.append('customer-a', [again]);
      expect(result.events[0].duplicate).toBe(true);
    }
    expect(await raw.readAll()).toHaveLength(2);
    // Other content under a logged id is still a conflict, in either format.
    await expect(
      store.append('customer-a', [{ ...old, data: { ...old.data, content: { text: 'x' } } }]),
    ).rejects.toBeInstanceOf(EventIdConflictError);

    // Another subject's values: subject and sealed value in a list.
    const note = {
      id: randomUUID(),
      type: 'customer.note-added.v1',
      data: { customerId: 'b', text: 'about bob' },
      metadata: { customerId: 'staff-x' },
    };
    await store.append('annotations-b', [note]);
    const stored = (await raw.readAll())[2];
    expect(sealedOf(stored)).toEqual(['b', expect.stringMatching(/^enc:v2:/)]);
    expect((stored.data as { text: string }).text).toBe(SEALED_FIELD);
    const [opened] = await store.readStream('annotations-b');
    expect(opened.data).toEqual(note.data);
    expect(opened.metadata).toEqual(note.metadata);

    // A customer's envelope in an event that no longer names the customer is damage.
    const { customerId: _dropped, ...unnamed } = v2.metadata as Record<string, unknown>;
    await raw.append('customer-z', [{ ...touchpoint('a', ''), metadata: unnamed }]);
    await expect(store.readStream('customer-z')).rejects.toThrow(/who is not named/);

    await keys.destroy(['a']);
    const texts = (await store.readStream('customer-a')).map(text);
    expect(texts.map(isErased)).toEqual([true, true]);
    await store.close();
  });
});
