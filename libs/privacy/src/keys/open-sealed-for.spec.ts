import { randomBytes } from 'node:crypto';
import { isErased } from '@rapport/domain';
import { FieldCipher } from '../cipher/field-cipher';
import { MemoryWrappedKeyTable } from '../memory/memory-wrapped-key-table';
import { LocalMasterKeyWrapper } from './key-wrapper';
import { openSealedFor } from './open-sealed-for';
import { WrappedSubjectKeyStore } from './subject-key-store';

describe('openSealedFor', () => {
  const keys = () =>
    new WrappedSubjectKeyStore(
      new MemoryWrappedKeyTable(),
      new LocalMasterKeyWrapper(randomBytes(32)),
    );

  it('opens with the key, reads as erased after the destroy and after the subject came back', async () => {
    const store = keys();
    const sealed = FieldCipher.encrypt(await store.keyFor('ann'), 'outbound', 'hello Ann');
    expect(await openSealedFor(store, 'ann', 'outbound', sealed)).toBe('hello Ann');
    await store.destroy(['ann']);
    expect(isErased(await openSealedFor(store, 'ann', 'outbound', sealed))).toBe(true);
    await store.keyFor('ann');
    expect(isErased(await openSealedFor(store, 'ann', 'outbound', sealed))).toBe(true);
  });

  it('throws for what does not authenticate for a subject never erased', async () => {
    const store = keys();
    const sealed = FieldCipher.encrypt(await store.keyFor('bob'), 'outbound', 'hello Bob');
    await expect(openSealedFor(store, 'bob', 'dead-letter', sealed)).rejects.toThrow(
      /does not authenticate/,
    );
  });
});
