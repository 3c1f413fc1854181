import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { LocalMasterKeyWrapper } from '../keys/key-wrapper';
import { type SubjectKeyStore, WrappedSubjectKeyStore } from '../keys/subject-key-store';
import { type WrappedKeyTable } from '../keys/wrapped-key-table';

/** How the contract suite gets tables of one adapter. */
export interface KeyTableUnderTest {
  readonly name: string;
  /** A new, empty table. */
  open(): Promise<WrappedKeyTable>;
  /** A second handle on the table `open` last returned (another process; memory: the same table). */
  reopen(): Promise<WrappedKeyTable>;
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

    it('names the subjects whose keys were ever destroyed, also once they have a new one', async () => {
      const store = await open();
      const [gone, back, kept] = [randomUUID(), randomUUID(), randomUUID()];
      await store.keysFor([gone, back, kept]);
      await store.destroy([gone, back]);
      await store.keyFor(back);
      expect(await store.erasedAmong!([gone, back, kept, randomUUID()])).toEqual(
        new Set([gone, back]),
      );
      expect(await store.erasedAmong!([])).toEqual(new Set());
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
      const cold = storeOver(await adapter.reopen());
      const found = await cold.findMany([...fresh, randomUUID()]);
      expect([...found.keys()].sort()).toEqual([...fresh].sort());
      for (const id of fresh) expect(found.get(id)?.bytes.equals(batch.get(id)!.bytes)).toBe(true);
      await store.destroy([fresh[1]]);
      expect((await store.findMany(fresh)).has(fresh[1])).toBe(false);
    });

    it('agrees across processes: one key per subject, a destroy seen by the other', async () => {
      const one = storeOver(await adapter.open());
      const other = storeOver(await adapter.reopen());
      const subject = randomUUID();
      const keys = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? one : other).keyFor(subject)),
      );
      expect(new Set(keys.map((k) => k.bytes.toString('hex'))).size).toBe(1);
      await one.destroy([subject]);
      const cold = storeOver(await adapter.reopen());
      expect(await cold.find(subject)).toBeUndefined();
    });

    describe('a key cached by one process, destroyed by another', () => {
      /** `cached` holds the keys of `subjects` in its cache; `eraser` is another process. */
      const twoProcesses = async (count: number) => {
        const cached = storeOver(await adapter.open());
        const eraser = storeOver(await adapter.reopen());
        const subjects = Array.from({ length: count }, () => randomUUID());
        const keys = await cached.keysFor(subjects);
        // Cached now: find answers without reading the table.
        await eraser.findMany(subjects);
        return { cached, eraser, subjects, keys };
      };

      it('is not found by find or findMany once the destroy returned', async () => {
        const { cached, eraser, subjects, keys } = await twoProcesses(3);
        const [gone, kept] = subjects;
        expect(await eraser.destroy([gone])).toBe(1);
        expect(await cached.find(gone)).toBeUndefined();
        const found = await cached.findMany(subjects);
        expect(found.has(gone)).toBe(false);
        expect(found.get(kept)?.bytes.equals(keys.get(kept)!.bytes)).toBe(true);
      });

      it('is replaced by a new key in keyFor and keysFor', async () => {
        const { cached, eraser, subjects, keys } = await twoProcesses(3);
        await eraser.destroy([subjects[0], subjects[1]]);
        const one = await cached.keyFor(subjects[0]);
        expect(one.bytes.equals(keys.get(subjects[0])!.bytes)).toBe(false);
        const batch = await cached.keysFor(subjects);
        expect(batch.get(subjects[0])?.bytes.equals(one.bytes)).toBe(true);
        expect(batch.get(subjects[1])?.bytes.equals(keys.get(subjects[1])!.bytes)).toBe(false);
        expect(batch.get(subjects[2])?.bytes.equals(keys.get(subjects[2])!.bytes)).toBe(true);
        // The new keys are the table's: the eraser finds the same ones.
        const there = await eraser.findMany(subjects);
        for (const id of subjects)
          expect(there.get(id)?.bytes.equals(batch.get(id)!.bytes)).toBe(true);
      });

      it('is not served after the subject was destroyed and created again elsewhere', async () => {
        const { cached, eraser, subjects, keys } = await twoProcesses(1);
        const [subject] = subjects;
        await eraser.destroy([subject]);
        const again = await eraser.keyFor(subject);
        expect(again.bytes.equals(keys.get(subject)!.bytes)).toBe(false);
        expect((await cached.find(subject))?.bytes.equals(again.bytes)).toBe(true);
        expect((await cached.keyFor(subject)).bytes.equals(again.bytes)).toBe(true);
      });
    });

    it('does not cache what a lookup read before an erasure another lookup has applied', async () => {
      const table = await adapter.open();
      const cached = storeOver(table);
      const eraser = storeOver(await adapter.reopen());
      const subject = randomUUID();
      const old = await eraser.keyFor(subject);
      await cached.find(randomUUID());
      // The next read of `subject` is held after the table answered, as a slow round trip is.
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      const getManyAfter = table.getManyAfter.bind(table);
      table.getManyAfter = async (ids, after) => {
        const read = await getManyAfter(ids, after);
        if (ids.includes(subject)) await gate;
        return read;
      };
      const slow = cached.find(subject);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await eraser.destroy([subject]);
      // Another lookup of the same process reads the erasure and moves past it.
      expect(await cached.find(randomUUID())).toBeUndefined();
      release();
      // The slow lookup overlapped the destroy: it may answer the old key, not keep it.
      expect((await slow)?.bytes.equals(old.bytes)).toBe(true);
      table.getManyAfter = getManyAfter;
      expect(await cached.find(subject)).toBeUndefined();
    });

    it('does not cache what a lookup unwraps while another applies an erasure of it', async () => {
      const master = new LocalMasterKeyWrapper(masterKey);
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      let hold = '';
      // The unwrap of `hold` waits, as a KMS call does.
      const slowWrapper = {
        wrap: (key: Buffer, id: string) => master.wrap(key, id),
        unwrap: async (wrapped: Buffer, id: string) => {
          if (id === hold) await gate;
          return master.unwrap(wrapped, id);
        },
      };
      const cached = new WrappedSubjectKeyStore(await adapter.open(), slowWrapper);
      opened.push(cached);
      const eraser = storeOver(await adapter.reopen());
      const subject = randomUUID();
      const old = await eraser.keyFor(subject);
      await cached.find(randomUUID());
      hold = subject;
      const slow = cached.find(subject);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await eraser.destroy([subject]);
      expect(await cached.find(randomUUID())).toBeUndefined();
      release();
      expect((await slow)?.bytes.equals(old.bytes)).toBe(true);
      expect(await cached.find(subject)).toBeUndefined();
    });

    type Step = {
      store: 0 | 1;
      op: 'keyFor' | 'find' | 'findMany' | 'keysFor' | 'destroy';
      subject: number;
    };
    const stepArb: fc.Arbitrary<Step> = fc.record({
      store: fc.constantFrom(0 as const, 1 as const),
      op: fc.constantFrom('keyFor', 'find', 'findMany', 'keysFor', 'destroy', 'destroy'),
      subject: fc.nat(2),
    });
    /** Runs a step on one of the stores; returns the subject's key it answered, if any. */
    const runStep = async (stores: SubjectKeyStore[], subjects: string[], step: Step) => {
      const store = stores[step.store];
      const id = subjects[step.subject];
      switch (step.op) {
        case 'keyFor':
          return (await store.keyFor(id)).bytes.toString('hex');
        case 'find':
          return (await store.find(id))?.bytes.toString('hex');
        case 'findMany':
          return (await store.findMany(subjects)).get(id)?.bytes.toString('hex');
        case 'keysFor':
          return (await store.keysFor(subjects)).get(id)?.bytes.toString('hex');
        case 'destroy':
          await store.destroy([id]);
          return undefined;
      }
    };

    it('answers, in any order of calls on two processes, what the table holds', async () => {
      const stores = [storeOver(await adapter.open()), storeOver(await adapter.reopen())];
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 12 }), async (steps) => {
          const subjects = [randomUUID(), randomUUID(), randomUUID()];
          /** The subject's key now (undefined: none), and every key it ever had. */
          const current = new Map<string, string>();
          const issued = new Set<string>();
          for (const step of steps) {
            const id = subjects[step.subject];
            const answer = await runStep(stores, subjects, step);
            if (step.op === 'destroy') current.delete(id);
            else if (step.op === 'find' || step.op === 'findMany') {
              expect(answer).toBe(current.get(id));
            } else if (current.has(id)) expect(answer).toBe(current.get(id));
            else {
              // A new key, never one the subject had before its destroy.
              expect(issued.has(answer!)).toBe(false);
              current.set(id, answer!);
            }
            // keysFor creates the batch's other subjects too.
            if (step.op === 'keysFor')
              for (const other of subjects)
                if (!current.has(other)) {
                  const key = (await stores[step.store].find(other))!.bytes.toString('hex');
                  expect(issued.has(key)).toBe(false);
                  current.set(other, key);
                }
            for (const key of current.values()) issued.add(key);
          }
        }),
        { numRuns: 25 },
      );
    });

    it('holds no destroyed key once calls racing on two processes have settled', async () => {
      const stores = [storeOver(await adapter.open()), storeOver(await adapter.reopen())];
      const truthTable = await adapter.reopen();
      const wrapper = new LocalMasterKeyWrapper(masterKey);
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.array(stepArb, { minLength: 1, maxLength: 6 }), {
              minLength: 1,
              maxLength: 4,
            }),
            async (rounds) => {
              const subjects = [randomUUID(), randomUUID(), randomUUID()];
              for (const round of rounds) {
                await Promise.all(round.map((step) => runStep(stores, subjects, step)));
                for (const id of subjects) {
                  const row = await truthTable.get(id);
                  const truth = row && (await wrapper.unwrap(row, id)).toString('hex');
                  for (const store of stores)
                    expect((await store.find(id))?.bytes.toString('hex')).toBe(truth);
                }
              }
            },
          ),
          { numRuns: 20 },
        );
      } finally {
        await truthTable.close();
      }
    });
  });
}
