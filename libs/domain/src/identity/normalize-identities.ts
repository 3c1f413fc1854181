import { type FieldError, type Validated, invalid, valid } from '../validation/field-error';
import { type ChannelIdentity } from './channel-identity';
import {
  type IdentityNormalizationOptions,
  type RawIdentity,
  normalizeIdentity,
} from './normalize-identity';

/**
 * Normalises the further identities a touchpoint carries (`data.identities`), each like the
 * primary one; `undefined` stays `undefined` (the single-identity shape is unchanged).
 */
export function normalizeIdentities(
  raw: readonly RawIdentity[] | undefined,
  path: string,
  options: IdentityNormalizationOptions = {},
): Validated<ChannelIdentity[] | undefined> {
  if (raw === undefined) return valid(undefined);
  const errors: FieldError[] = [];
  const identities: ChannelIdentity[] = [];
  raw.forEach((identity, i) => {
    const normalized = normalizeIdentity(identity, `${path}.${i}`, options);
    if (normalized.ok) identities.push(normalized.value);
    else errors.push(...normalized.errors);
  });
  return errors.length > 0 ? invalid(...errors) : valid(identities);
}
