import { AdapterKeys } from '@rapport/application';
import { type ChannelIdentity, type Channel, UNRESTRICTED_SCOPE } from '@rapport/domain';
import { openReadModels } from '@rapport/read-models';
import { TestIssuer } from '@rapport/testing';

/** Per channel topic, the identity kinds the e2e ingestors believe verified claims of. */
export const E2E_KAFKA_TRUST: Partial<Record<Channel, ChannelIdentity['kind'][]>> = {
  email: ['email', 'phone'],
  phone: ['email', 'phone'],
};

/** An identity as the ingestor takes it from a channel's Kafka topic under `E2E_KAFKA_TRUST`. */
export function trustedOnTopic(channel: Channel, identity: ChannelIdentity): ChannelIdentity {
  if (identity.verified !== true || E2E_KAFKA_TRUST[channel]?.includes(identity.kind))
    return identity;
  return { ...identity, verified: false };
}

/**
 * Credentials for an end-to-end run: a real test issuer the services trust, a staff token
 * holding every role, and an adapter key created in the run's Redis read models.
 */
export async function e2eAccess(readModelsUrl: string) {
  const issuer = await TestIssuer.start();
  const readModels = openReadModels(readModelsUrl);
  const { key } = await new AdapterKeys(readModels.access.adapterKeys).create(
    'e2e adapter',
    UNRESTRICTED_SCOPE,
    new Date(),
  );
  await readModels.close();
  const token = await issuer.token({
    subject: 'e2e-staff',
    roles: ['agent', 'supervisor', 'data', 'admin'],
  });
  return {
    issuer,
    adapterKey: key,
    env: { ...issuer.env(), RAPPORT_KAFKA_VERIFIED_KINDS: JSON.stringify(E2E_KAFKA_TRUST) },
    /** Headers of staff holding every role. */
    staff: { authorization: `Bearer ${token}` } as Record<string, string>,
    /** Headers of the e2e adapter. */
    adapter: { 'x-api-key': key } as Record<string, string>,
  };
}
