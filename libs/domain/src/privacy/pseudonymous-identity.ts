import { type ChannelIdentity, identityKey } from '../identity/channel-identity';
import {
  graphIdentityOf,
  type IdentityPolicy,
  isBlockedIdentity,
} from '../identity-graph/identity-policy';
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

/**
 * An identity a person gave, as the log holds it: its pseudonym, the plain value beside it
 * (which the log seals), and `blocked` when policy blocks the plain value — a pattern such
 * as `email:noreply@*` cannot be matched against a pseudonym later.
 */
export function loggedIdentity(
  identity: ChannelIdentity,
  hash: IdentityHasher,
  policy: IdentityPolicy,
): PseudonymousIdentity {
  const pseudonymous = pseudonymise(identity, hash);
  return isBlockedIdentity(policy, identity) ? { ...pseudonymous, blocked: true } : pseudonymous;
}

/**
 * An identity from a request (a lookup, a staff link or unlink, `rapport forget`) as the
 * identity graph and the read models know it: pseudonymous, no plain value beside it.
 */
export function pseudonymousGraphIdentity(
  identity: ChannelIdentity,
  hash: IdentityHasher,
  policy: IdentityPolicy,
): ChannelIdentity {
  return graphIdentityOf(policy, loggedIdentity(identity, hash, policy));
}
