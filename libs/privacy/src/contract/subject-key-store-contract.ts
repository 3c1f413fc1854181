import { randomBytes, randomUUID } from 'node:crypto';
import { LocalMasterKeyWrapper } from '../keys/key-wrapper';
import { type SubjectKeyStore, WrappedSubjectKeyStore } from '../keys/subject-key-store';
import { type WrappedKeyTable } from '../keys/wrapped-key-table';

/** How the contract suite gets tables of one adapter. */
export interface KeyTableUnderTest {
  readonly name: string;
  /** A new, empty table. */
  open(): Promise<WrappedKeyTable>;
  /** A second handle on the table `open` last returned (another process), when the adapter has one. */
  reopen?(): Promise<WrappedKeyTable>;
}

/** The contract every `WrappedKeyTable` passes, through `WrappedSubjectKeyStore`. */
export function describeSubjectKeyStoreContract(adapter: KeyTableUnderTest): void {
  describe(`SubjectKeyStore contract: ${adapter.name}`, () => {
    const masterKey = randomBytes(32);
    const opened: SubjectKeyStore[] = [];
    const storeOver = (table: WrappedKeyTable, cacheSize?: number) => {
      const store = new WrappedSubjectKeyStore(table, new LocalMasterKeyWrapper(masterKey), {
        cacheSize,
      });
      opened.push(store);
      return store;
    };
    const open = async (cacheSize?: number) => storeOver(await adapter.open(), cacheSize);

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('creates a 32-byte key on first use and returns the same one afterwards', async () => {
      const store = await open();
      const subject = randomUUID();
      expect(await store.find(subject)).toBeUndefined();
      const key = await store.keyFor(subject);
      expect(key.subjectId).toBe(subject);
      expect(key.bytes).toHaveLength(32);
      expect((await store.keyFor(subject)).bytes.equals(key.bytes)).toBe(true);
      expect((await store.find(subject))?.bytes.equals(key.bytes)).toBe(true);
    });

    it('gives every subject its own key', async () => {
      const store = await open();
      const keys = await Promise.all(Array.from({ length: 20 }, () => store.keyFor(randomUUID())));
      expect(new Set(keys.map((k) => k.bytes.toString('hex'))).size).toBe(20);
    });

    it('creates one key when many callers ask for a new subject at the same moment', async () => {
      const store = await open();
      const subject = randomUUID();
      const keys = await Promise.all(Array.from({ length: 25 }, () => store.keyFor(subject)));
      expect(new Set(keys.map((k) => k.bytes.toString('hex'))).size).toBe(1);
    });

    it('reads keys back through a cold cache (they are stored, wrapped)', async () => {
      const table = await adapter.open();
      const writer = storeOver(table);
      const subjects = Array.from({ length: 5 }, () => randomUUID());
      const keys = await Promise.all(subjects.map((s) => writer.keyFor(s)));
      const reader = new WrappedSubjectKeyStore(table, new LocalMasterKeyWrapper(masterKey));
      for (const [i, subject] of subjects.entries()) {
        expect((await reader.find(subject))?.bytes.equals(keys[i].bytes)).toBe(true);
      }
    });

    it('refuses to unwrap under another master key', async () => {
      const table = await adapter.open();
      const subject = randomUUID();
      await storeOver(table).keyFor(subject);
      const stranger = new WrappedSubjectKeyStore(
        table,
        new LocalMasterKeyWrapper(randomBytes(32)),
      );
      await expect(stranger.find(subject)).rejects.toThrow(/does not unwrap/);
    });

    it('destroys keys for good: find is undefined, the cache forgets, others stay', async () => {
      const store = await open();
      const [gone, alsoGone, kept] = [randomUUID(), randomUUID(), randomUUID()];
      const keptKey = await store.keyFor(kept);
      const goneKey = await store.keyFor(gone);
      await store.keyFor(alsoGone);
      expect(await store.destroy([gone, alsoGone, randomUUID()])).toBe(2);
      expect(await store.find(gone)).toBeUndefined();
      expect(await store.find(alsoGone)).toBeUndefined();
      expect((await store.find(kept))?.bytes.equals(keptKey.bytes)).toBe(true);
      expect(await store.destroy([gone])).toBe(0);
      // A subject that comes back gets a new key: the old ciphertexts stay unreadable.
      expect((await store.keyFor(gone)).bytes.equals(goneKey.bytes)).toBe(false);
    });

    it('does not bring a destroyed key back through a lookup that raced the destroy', async () => {
      const store = await open();
      const subject = randomUUID();
      await store.keyFor(subject);
      await store.destroy([subject]);
      await store.keyFor(subject);
      const lookups = Array.from({ length: 10 }, () => store.find(subject));
      await store.destroy([subject]);
      await Promise.all(lookups);
      expect(await store.find(subject)).toBeUndefined();
    });

    it('keeps working when the cache is smaller than the subjects', async () => {
      const store = await open(2);
      const subjects = Array.from({ length: 6 }, () => randomUUID());
      const first = await Promise.all(subjects.map((s) => store.keyFor(s)));
      const again = await Promise.all(subjects.map((s) => store.keyFor(s)));
      again.forEach((k, i) => expect(k.bytes.equals(first[i].bytes)).toBe(true));
    });

    it('creates and finds many keys at once, agreeing with keyFor and racing callers', async () => {
      const store = await open();
      const known = randomUUID();
      const knownKey = await store.keyFor(known);
      const fresh = Array.from({ length: 5 }, () => randomUUID());
      const [batch, racing] = await Promise.all([
        store.keysFor([known, ...fresh, fresh[0]]),
        store.keyFor(fresh[2]),
      ]);
      expect([...batch.keys()].sort()).toEqual([known, ...fresh].sort());
      expect(batch.get(known)?.bytes.equals(knownKey.bytes)).toBe(true);
      expect(batch.get(fresh[2])?.bytes.equals(racing.bytes)).toBe(true);
      const cold = storeOver(await (adapter.reopen ?? adapter.open).call(adapter));
      if (adapter.reopen) {
        const found = await cold.findMany([...fresh, randomUUID()]);
        expect([...found.keys()].sort()).toEqual([...fresh].sort());
        for (const id of fresh)
          expect(found.get(id)?.bytes.equals(batch.get(id)!.bytes)).toBe(true);
      }
      await store.destroy([fresh[1]]);
      expect((await store.findMany(fresh)).has(fresh[1])).toBe(false);
    });

    if (adapter.reopen) {
      const reopen = adapter.reopen.bind(adapter);
      it('agrees across processes: one key per subject, a destroy seen by the other', async () => {
        const one = storeOver(await adapter.open());
        const other = storeOver(await reopen());
        const subject = randomUUID();
        const keys = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? one : other).keyFor(subject)),
        );
        expect(new Set(keys.map((k) => k.bytes.toString('hex'))).size).toBe(1);
        await one.destroy([subject]);
        // `other` has it cached: a cache is per process, so erasure must reach every replica
        // (the erasure event does that once it is wired); a cold reader sees it gone.
        const cold = storeOver(await reopen());
        expect(await cold.find(subject)).toBeUndefined();
      });
    }
  });
}
