import {
  type ChannelIdentity,
  IDENTITY_KINDS,
  type IdentityKind,
  identityKey,
} from '../identity/channel-identity';
import { SEALED_FIELD } from '../privacy/erased';
import { wildcardPattern } from '../text/wildcard-pattern';
import { compareStrings } from './compare-strings';
import { type FieldError, type Validated, invalid, valid } from '../validation/field-error';

/**
 * The guards against wrong merges. Plain data (it comes from configuration); the
 * deciders take it as a parameter, so a replay never depends on today's policy: the
 * decisions are in the events.
 */
export interface IdentityPolicy {
  /** Kinds whose verified identities may merge two customers without asking staff. */
  readonly autoMergeKinds: readonly IdentityKind[];
  /**
   * Kinds from the most to the least trustworthy: picks a touchpoint's primary identity
   * and the survivor of a merge. Every kind appears once.
   */
  readonly priority: readonly IdentityKind[];
  /** At most this many identities of a kind per customer (a kind not listed: no limit). */
  readonly maxPerKind: Readonly<Partial<Record<IdentityKind, number>>>;
  /**
   * Identities that never link anyone: exact keys (`phone:+4930123456`) or patterns where
   * `*` stands for any characters (`email:info@*`), written in normalised form.
   */
  readonly blocked: readonly string[];
  /**
   * Kinds that name a browser or device, not a person (chat visitor ids). A customer holding
   * only these is anonymous: a trusted, verified identity seen with it merges it into the
   * known customer without asking staff (a visitor who logs in) — never the other way round.
   */
  readonly anonymousKinds: readonly IdentityKind[];
}

export const DEFAULT_IDENTITY_POLICY: IdentityPolicy = Object.freeze({
  // E-mail and phone are the kinds a channel can verify (a confirmed address, a call back).
  autoMergeKinds: Object.freeze(['email', 'phone'] as IdentityKind[]),
  // A loyalty card is issued to one person; chat visitor ids are per browser and shared.
  priority: Object.freeze(['card', 'email', 'phone', 'social', 'chat'] as IdentityKind[]),
  maxPerKind: Object.freeze({ card: 5, email: 5, phone: 5, social: 10, chat: 50 }),
  // Addresses that send on behalf of machines, never of a person.
  blocked: Object.freeze([
    'email:noreply@*',
    'email:no-reply@*',
    'email:mailer-daemon@*',
    'email:postmaster@*',
  ]),
  anonymousKinds: Object.freeze(['chat'] as IdentityKind[]),
});

/**
 * A policy from configuration: missing fields take the defaults, kinds missing from
 * `priority` follow the listed ones, blocked patterns get the case normalisation gives
 * their kind (e-mail and social lower-cased, card ids upper-cased).
 */
export function identityPolicyFrom(
  config: Partial<IdentityPolicy>,
  path = 'identityPolicy',
): Validated<IdentityPolicy> {
  const errors: FieldError[] = [];
  const isKind = (kind: unknown): kind is IdentityKind =>
    (IDENTITY_KINDS as readonly unknown[]).includes(kind);

  const autoMergeKinds = config.autoMergeKinds ?? DEFAULT_IDENTITY_POLICY.autoMergeKinds;
  autoMergeKinds.forEach((kind, i) => {
    if (!isKind(kind)) {
      errors.push({ path: `${path}.autoMergeKinds.${i}`, message: `unknown kind "${kind}"` });
    }
  });

  const anonymousKinds = config.anonymousKinds ?? DEFAULT_IDENTITY_POLICY.anonymousKinds;
  anonymousKinds.forEach((kind, i) => {
    if (!isKind(kind)) {
      errors.push({ path: `${path}.anonymousKinds.${i}`, message: `unknown kind "${kind}"` });
    } else if (autoMergeKinds.includes(kind)) {
      errors.push({
        path: `${path}.anonymousKinds.${i}`,
        message: `"${kind}" cannot be both anonymous and auto-mergeable`,
      });
    }
  });

  const listed = config.priority ?? DEFAULT_IDENTITY_POLICY.priority;
  listed.forEach((kind, i) => {
    if (!isKind(kind)) {
      errors.push({ path: `${path}.priority.${i}`, message: `unknown kind "${kind}"` });
    } else if (listed.indexOf(kind) !== i) {
      errors.push({ path: `${path}.priority.${i}`, message: `"${kind}" is listed twice` });
    }
  });
  const priority = [...listed, ...IDENTITY_KINDS.filter((kind) => !listed.includes(kind))];

  const maxPerKind = config.maxPerKind ?? DEFAULT_IDENTITY_POLICY.maxPerKind;
  for (const [kind, max] of Object.entries(maxPerKind)) {
    if (!isKind(kind)) {
      errors.push({ path: `${path}.maxPerKind.${kind}`, message: `unknown kind "${kind}"` });
    } else if (!Number.isInteger(max) || (max as number) < 1) {
      errors.push({ path: `${path}.maxPerKind.${kind}`, message: 'must be a whole number ≥ 1' });
    }
  }

  const blocked = (config.blocked ?? DEFAULT_IDENTITY_POLICY.blocked).map((pattern, i) => {
    const kind = pattern.slice(0, pattern.indexOf(':'));
    if (!isKind(kind) || pattern.length <= kind.length + 1) {
      errors.push({
        path: `${path}.blocked.${i}`,
        message: `"${pattern}" is not an identity key or pattern such as "email:info@*"`,
      });
      return pattern;
    }
    // Written the way normalisation writes keys, or the pattern would never match.
    if (kind === 'email' || kind === 'social') return pattern.toLowerCase();
    return kind === 'card' ? pattern.toUpperCase().replace(/^CARD:/, 'card:') : pattern;
  });

  if (errors.length > 0) return invalid(...errors);
  return valid(
    Object.freeze({
      autoMergeKinds: [...autoMergeKinds],
      priority,
      maxPerKind: { ...maxPerKind },
      blocked,
      anonymousKinds: [...anonymousKinds],
    }),
  );
}

/** What the deciders ask of a policy, prepared once per policy object. */
interface PreparedPolicy {
  readonly rank: ReadonlyMap<IdentityKind, number>;
  readonly autoMerge: ReadonlySet<IdentityKind>;
  readonly blockedKeys: ReadonlySet<string>;
  readonly blockedPatterns: readonly RegExp[];
}

const prepared = new WeakMap<IdentityPolicy, PreparedPolicy>();

function prepare(policy: IdentityPolicy): PreparedPolicy {
  let ready = prepared.get(policy);
  if (!ready) {
    const patterns = policy.blocked.filter((p) => p.includes('*'));
    ready = {
      rank: new Map(policy.priority.map((kind, i) => [kind, i])),
      autoMerge: new Set(policy.autoMergeKinds),
      blockedKeys: new Set(policy.blocked.filter((p) => !p.includes('*'))),
      blockedPatterns: patterns.map(wildcardPattern),
    };
    prepared.set(policy, ready);
  }
  return ready;
}

/**
 * Whether policy blocks the identity: by its key, by its plain value when it is a
 * pseudonymous identity read back with one, or by the flag recorded when it was seen.
 */
export function isBlockedIdentity(
  policy: IdentityPolicy,
  identity: ChannelIdentity & { readonly plainValue?: unknown },
): boolean {
  if (identity.blocked === true) return true;
  const { blockedKeys, blockedPatterns } = prepare(policy);
  const blocks = (key: string) =>
    blockedKeys.has(key) || blockedPatterns.some((pattern) => pattern.test(key));
  if (blocks(identityKey(identity))) return true;
  return (
    typeof identity.plainValue === 'string' &&
    identity.plainValue !== SEALED_FIELD && // read without decryption: the flag says it
    blocks(identityKey({ ...identity, value: identity.plainValue }))
  );
}

/**
 * The identity as the identity graph records it: never a plain value beside a pseudonym (the
 * graph's events are not encrypted), and `blocked` kept as a fact when only the plain value
 * could show it.
 */
export function graphIdentityOf(
  policy: IdentityPolicy,
  identity: ChannelIdentity & { readonly plainValue?: unknown },
): ChannelIdentity {
  if (identity.plainValue === undefined) return identity;
  const { plainValue: _plain, ...rest } = identity;
  return isBlockedIdentity(policy, identity) ? { ...rest, blocked: true } : rest;
}

/** Position of a kind in `priority`: lower is more trustworthy. */
export function kindRank(policy: IdentityPolicy, kind: IdentityKind): number {
  return prepare(policy).rank.get(kind) ?? policy.priority.length;
}

export function isAutoMergeKind(policy: IdentityPolicy, kind: IdentityKind): boolean {
  return prepare(policy).autoMerge.has(kind);
}

export function isAnonymousKind(policy: IdentityPolicy, kind: IdentityKind): boolean {
  return policy.anonymousKinds.includes(kind);
}

export function maxIdentitiesOfKind(policy: IdentityPolicy, kind: IdentityKind): number {
  return policy.maxPerKind[kind] ?? Number.POSITIVE_INFINITY;
}

/**
 * Identities in priority order (kind rank, then key): the first is a touchpoint's
 * primary identity. A total order, so every replica picks the same one.
 */
export function byPriority(
  policy: IdentityPolicy,
): (a: ChannelIdentity, b: ChannelIdentity) => number {
  return (a, b) =>
    kindRank(policy, a.kind) - kindRank(policy, b.kind) ||
    compareStrings(identityKey(a), identityKey(b));
}
