import {
  type ChannelIdentity,
  customerIdFor,
  DEFAULT_IDENTITY_POLICY,
  identityKey,
  normalizeIdentity,
  pseudonymousGraphIdentity,
} from '@rapport/domain';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { BlindIndex, openProtectedEventStore, privacySettingsFrom } from '@rapport/privacy';

/** The identity as the platform under test logs it: pseudonymous with the run's pepper. */
export function platformIdentity(identity: ChannelIdentity): ChannelIdentity {
  const settings = privacySettingsFrom(process.env);
  if (settings === 'off' || settings === undefined) return identity;
  return pseudonymousGraphIdentity(
    identity,
    BlindIndex.fromBase64(settings.pepper).pseudonymOf,
    DEFAULT_IDENTITY_POLICY,
  );
}

/**
 * The customer id the platform under test gives a (normalised) identity's first customer:
 * derived from its pseudonym with the run's pepper (`test-privacy-env.ts`).
 */
export function platformCustomerIdFor(identity: ChannelIdentity): string {
  return customerIdFor(platformIdentity(identity));
}

/** The key read models file an identity under, in the platform under test. */
export function platformIdentityKey(identity: ChannelIdentity): string {
  return identityKey(platformIdentity(identity));
}

/** `platformCustomerIdFor` of an identity as an adapter would send it (normalised here first). */
export function platformCustomerIdOf(kind: ChannelIdentity['kind'], value: string): string {
  const normalised = normalizeIdentity({ kind, value }, 'identity');
  if (!normalised.ok) throw new Error(`not an identity: ${kind}`);
  return platformCustomerIdFor(normalised.value);
}

/**
 * The log as the platform under test reads it: personal fields decrypted with the run's keys
 * (in the log's own database), for comparisons with what the services built from it.
 */
export async function openPlatformEventStore(url: string): Promise<EventStore> {
  const settings = privacySettingsFrom(process.env);
  if (settings === 'off' || settings === undefined) return openEventStore(url);
  return openProtectedEventStore(settings, url);
}
