import { privacySettingsFrom } from './privacy-settings';

describe('privacySettingsFrom', () => {
  const keys = { RAPPORT_MASTER_KEY: 'bWFzdGVy', RAPPORT_IDENTITY_PEPPER: 'cGVwcGVy' };

  it('reads the format appends seal in: 2 unless RAPPORT_SEAL_FORMAT says 1', () => {
    expect(privacySettingsFrom(keys)).toEqual({
      masterKey: 'bWFzdGVy',
      pepper: 'cGVwcGVy',
    });
    expect(privacySettingsFrom({ ...keys, RAPPORT_SEAL_FORMAT: '1' })).toMatchObject({
      sealFormat: 1,
    });
    expect(privacySettingsFrom({ ...keys, RAPPORT_SEAL_FORMAT: ' 2 ' })).toMatchObject({
      sealFormat: 2,
    });
    expect(() => privacySettingsFrom({ ...keys, RAPPORT_SEAL_FORMAT: 'v3' })).toThrow(
      /RAPPORT_SEAL_FORMAT=v3: expected 1 or 2/,
    );
  });
});
