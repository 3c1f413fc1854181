import { randomBytes } from 'node:crypto';
import { LocalMasterKeyWrapper } from './key-wrapper';

describe.each([1, 2] as const)('LocalMasterKeyWrapper, format %i', (format) => {
  const wrapper = new LocalMasterKeyWrapper(randomBytes(32), format);

  it('wraps and unwraps a data key, differently each time', async () => {
    const dataKey = randomBytes(32);
    const once = await wrapper.wrap(dataKey, 'customer-1');
    const twice = await wrapper.wrap(dataKey, 'customer-1');
    expect(once.equals(twice)).toBe(false);
    expect(once.includes(dataKey)).toBe(false);
    expect(once[0]).toBe(format);
    expect((await wrapper.unwrap(once, 'customer-1')).equals(dataKey)).toBe(true);
  });

  it('refuses a wrapped key moved to another subject, altered, or under another master key', async () => {
    const wrapped = await wrapper.wrap(randomBytes(32), 'customer-1');
    await expect(wrapper.unwrap(wrapped, 'customer-2')).rejects.toThrow(/does not unwrap/);
    const altered = Buffer.from(wrapped);
    altered[20] ^= 1;
    await expect(wrapper.unwrap(altered, 'customer-1')).rejects.toThrow(/does not unwrap/);
    await expect(
      new LocalMasterKeyWrapper(randomBytes(32), format).unwrap(wrapped, 'customer-1'),
    ).rejects.toThrow(/does not unwrap/);
    await expect(wrapper.unwrap(Buffer.of(9, 1, 2), 'customer-1')).rejects.toThrow(/format/);
  });

  it('takes its master key as 32 bytes of base64 from configuration', async () => {
    const key = randomBytes(32);
    const dataKey = randomBytes(32);
    const wrapped = await LocalMasterKeyWrapper.fromBase64(key.toString('base64')).wrap(
      dataKey,
      's',
    );
    const unwrapped = await LocalMasterKeyWrapper.fromBase64(key.toString('base64url')).unwrap(
      wrapped,
      's',
    );
    expect(unwrapped.equals(dataKey)).toBe(true);
    expect(() => LocalMasterKeyWrapper.fromBase64(randomBytes(16).toString('base64'))).toThrow(
      /32 bytes/,
    );
    expect(() => LocalMasterKeyWrapper.fromBase64('%%%')).toThrow(/base64/);
  });

  it('unwraps keys wrapped in the other format under the same master key', async () => {
    const masterKey = randomBytes(32);
    const dataKey = randomBytes(32);
    const other = new LocalMasterKeyWrapper(masterKey, format === 1 ? 2 : 1);
    const wrapped = await other.wrap(dataKey, 's');
    const unwrapped = await new LocalMasterKeyWrapper(masterKey, format).unwrap(wrapped, 's');
    expect(unwrapped.equals(dataKey)).toBe(true);
  });
});
