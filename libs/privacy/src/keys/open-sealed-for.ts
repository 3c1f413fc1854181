import { ERASED, type Erased } from '@rapport/domain';
import { FieldCipher, FieldDecryptionError } from '../cipher/field-cipher';
import { type SubjectKeyStore } from './subject-key-store';

/**
 * `FieldCipher.decrypt` of a value sealed for one subject with their current key; `ERASED`
 * also when the subject was erased and has a new key since, which does not open what was
 * sealed under the destroyed one. Other values that do not authenticate throw.
 */
export async function openSealedFor(
  keys: SubjectKeyStore,
  subject: string,
  field: string,
  value: string,
): Promise<string | Erased> {
  const key = await keys.find(subject);
  try {
    return FieldCipher.decrypt(key, field, value);
  } catch (error) {
    if (error instanceof FieldDecryptionError && (await keys.erasedAmong?.([subject]))?.size)
      return ERASED;
    throw error;
  }
}
