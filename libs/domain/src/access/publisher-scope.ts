import { CHANNELS, type Channel } from '../channels';
import {
  type ChannelIdentity,
  IDENTITY_KINDS,
  type IdentityKind,
} from '../identity/channel-identity';
import { wildcardPattern } from '../text/wildcard-pattern';
import { type FieldError, type Validated, invalid, valid } from '../validation/field-error';

/**
 * What one publisher (an adapter key, or the channel a Kafka topic stands for) may say:
 * the channels it may publish on, the `source` values it may use, and the identity kinds
 * whose `verified` flag it is trusted to set.
 */
export interface PublisherScope {
  readonly channels: readonly Channel[];
  /** `*` stands for any characters: `crm://acme/*`, or `*` for any source. */
  readonly sourcePatterns: readonly string[];
  readonly verifiedKinds: readonly IdentityKind[];
}

/** Everything: the scope of the platform's own in-process callers (the demo seeder, tests). */
export const UNRESTRICTED_SCOPE: PublisherScope = Object.freeze({
  channels: CHANNELS,
  sourcePatterns: Object.freeze(['*']),
  verifiedKinds: IDENTITY_KINDS,
});

const patternCache = new Map<string, RegExp>();

/** Whether `source` matches a pattern where `*` stands for any characters (and nothing else is special). */
export function sourceMatches(pattern: string, source: string): boolean {
  let regex = patternCache.get(pattern);
  if (!regex) {
    regex = wildcardPattern(pattern);
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(pattern, regex);
  }
  return regex.test(source);
}

/** Why a publisher may not publish this event, as field errors; empty when it may. */
export function publisherScopeErrors(
  scope: PublisherScope,
  channel: Channel,
  source: string,
): FieldError[] {
  const errors: FieldError[] = [];
  if (!scope.channels.includes(channel)) {
    errors.push({
      path: 'data.channel',
      message: `this publisher may not publish on channel "${channel}"`,
    });
  }
  if (!scope.sourcePatterns.some((pattern) => sourceMatches(pattern, source))) {
    errors.push({ path: 'source', message: 'this publisher may not publish under this source' });
  }
  return errors;
}

/**
 * The identity as the platform believes it: a `verified` claim from a publisher not trusted
 * to verify that kind counts as unverified (a merge suggestion at most, never a merge).
 */
export function trustedIdentity(scope: PublisherScope, identity: ChannelIdentity): ChannelIdentity {
  if (identity.verified !== true || scope.verifiedKinds.includes(identity.kind)) return identity;
  return { ...identity, verified: false };
}

/** A scope from configuration or a command line; each problem names its field. */
export function publisherScopeFrom(input: {
  channels: readonly string[];
  sourcePatterns: readonly string[];
  verifiedKinds: readonly string[];
}): Validated<PublisherScope> {
  const errors: FieldError[] = [];
  input.channels.forEach((channel, i) => {
    if (!(CHANNELS as readonly string[]).includes(channel)) {
      errors.push({
        path: `channels.${i}`,
        message: `unknown channel "${channel}"; one of ${CHANNELS.join(', ')}`,
      });
    }
  });
  if (input.channels.length === 0)
    errors.push({ path: 'channels', message: 'name at least one channel' });
  input.sourcePatterns.forEach((pattern, i) => {
    if (pattern.length === 0 || pattern.length > 256 || hasControlCharacter(pattern)) {
      errors.push({
        path: `sourcePatterns.${i}`,
        message: 'a pattern is 1–256 printable characters',
      });
    }
  });
  if (input.sourcePatterns.length === 0) {
    errors.push({ path: 'sourcePatterns', message: 'name at least one source pattern (or *)' });
  }
  input.verifiedKinds.forEach((kind, i) => {
    if (!(IDENTITY_KINDS as readonly string[]).includes(kind)) {
      errors.push({
        path: `verifiedKinds.${i}`,
        message: `unknown identity kind "${kind}"; one of ${IDENTITY_KINDS.join(', ')}`,
      });
    }
  });
  if (errors.length > 0) return invalid(...errors);
  return valid({
    channels: [...new Set(input.channels)] as Channel[],
    sourcePatterns: [...new Set(input.sourcePatterns)],
    verifiedKinds: [...new Set(input.verifiedKinds)] as IdentityKind[],
  });
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}
