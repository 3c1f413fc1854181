import { type ChannelIdentity, identityKey } from '../identity/channel-identity';
import { type PersonalText } from './erased';

/**
 * The keyed pseudonym of a normalised identity key (`email:ann@example.com`): `~` and 22
 * base64url characters, the same in every process that holds the secret it is keyed with.
 * The adapter is `libs/privacy`'s blind index; the domain only knows the shape.
 */
export type IdentityHasher = (identityKey: string) => string;

const PSEUDONYM = /^~[A-Za-z0-9_-]{22}$/;

/** Whether an identity value is a pseudonym rather than the value a person gave. */
export const isPseudonym = (value: string): boolean => PSEUDONYM.test(value);

/**
 * An identity as the log holds it once pseudonymous keys are on: `value` is the pseudonym
 * (every key, stream and customer id derives from it), `plainValue` the value the channel
 * saw — encrypted in the log, a text or `ERASED` once read back.
 */
export interface PseudonymousIdentity extends ChannelIdentity {
  readonly plainValue?: PersonalText;
}

/** The identity with its value replaced by its pseudonym, the value kept beside it as `plainValue`. */
export function pseudonymise(
  identity: ChannelIdentity,
  hash: IdentityHasher,
): PseudonymousIdentity {
  if (isPseudonym(identity.value)) return identity;
  return { ...identity, value: hash(identityKey(identity)), plainValue: identity.value };
}

/** The identity key of a value written by a person (`email:Ann@Example.com` normalised first by the caller). */
export function pseudonymousKey(identity: ChannelIdentity, hash: IdentityHasher): string {
  return identityKey(pseudonymise(identity, hash));
}

/** The identity as its channel gave it, when its plain value is known and not erased. */
export function plainIdentityOf(identity: PseudonymousIdentity): ChannelIdentity | null {
  if (identity.plainValue === undefined) return isPseudonym(identity.value) ? null : identity;
  if (typeof identity.plainValue !== 'string') return null;
  const { plainValue, ...rest } = identity;
  return { ...rest, value: plainValue };
}
