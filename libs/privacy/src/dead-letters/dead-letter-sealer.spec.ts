import { randomBytes } from 'node:crypto';
import { customerIdFor, identityKey, pseudonymise } from '@rapport/domain';
import { BlindIndex } from '../blind-index/blind-index';
import { LocalMasterKeyWrapper } from '../keys/key-wrapper';
import { WrappedSubjectKeyStore } from '../keys/subject-key-store';
import { MemoryWrappedKeyTable } from '../memory/memory-wrapped-key-table';
import {
  DeadLetterSealer,
  openDeadLetter,
  SEALED_FOR_HEADER,
  SUPPRESSED_HEADER,
} from './dead-letter-sealer';

describe('DeadLetterSealer', () => {
  const blindIndex = new BlindIndex(randomBytes(32));
  const hash = blindIndex.pseudonymOf;
  const letter = (email: string) => ({
    key: `email:${email}`,
    value: Buffer.from(
      JSON.stringify({
        specversion: '1.0',
        id: 'x-1',
        data: { identity: { kind: 'email', value: email }, content: { text: 'a unique phrase' } },
      }),
    ),
    headers: { ce_subject: 'Re: my order', 'rapport-reason': 'data.channel: must be one of …' },
  });
  const pseudonymous = (email: string) => pseudonymise({ kind: 'email', value: email }, hash);
  let keys: WrappedSubjectKeyStore;
  beforeEach(() => {
    keys = new WrappedSubjectKeyStore(
      new MemoryWrappedKeyTable(),
      new LocalMasterKeyWrapper(randomBytes(32)),
    );
  });

  it('seals a letter that names a person with their key, and opens it as it was refused', async () => {
    const sealed = await new DeadLetterSealer(keys, hash).seal(letter('ada@example.org'));
    const customerId = customerIdFor(pseudonymous('ada@example.org'));
    expect(sealed.key).toBe(customerId);
    expect(sealed.headers?.[SEALED_FOR_HEADER]).toBe(customerId);
    expect(sealed.headers?.ce_subject).toBeUndefined();
    expect(String(sealed.value)).not.toContain('ada@example.org');
    const opened = await openDeadLetter(sealed, keys);
    expect(opened !== 'erased' && opened.value?.equals(letter('ada@example.org').value)).toBe(true);
    expect(opened !== 'erased' && opened.headers).toEqual({ ce_subject: 'Re: my order' });
  });

  it('keeps no value of a suppressed identity, and makes the person no key', async () => {
    const suppressed = new Set([identityKey(pseudonymous('gone@example.org'))]);
    const sealer = new DeadLetterSealer(keys, hash, {}, async (key) => suppressed.has(key));
    const dropped = await sealer.seal(letter('gone@example.org'));
    const customerId = customerIdFor(pseudonymous('gone@example.org'));
    expect(dropped.value).toBeNull();
    expect(dropped.key).toBe(customerId);
    expect(dropped.headers).toEqual({
      'rapport-reason': 'data.channel: must be one of …',
      [SUPPRESSED_HEADER]: 'true',
    });
    expect(await keys.find(customerId)).toBeUndefined();
    // Someone else's letter, through the same sealer, is sealed as usual.
    const kept = await sealer.seal(letter('ada@example.org'));
    expect(kept.headers?.[SEALED_FOR_HEADER]).toBe(customerIdFor(pseudonymous('ada@example.org')));
  });

  it('keeps a letter that names no readable identity as it came', async () => {
    const unreadable = { key: null, value: Buffer.from('{not json'), headers: {} };
    expect(await new DeadLetterSealer(keys, hash).seal(unreadable)).toBe(unreadable);
  });
});
