import { type Validated, invalid } from '../validation/field-error';
import { type ChannelIdentity, type IdentityKind, IDENTITY_KINDS } from './channel-identity';
import { normalizeIdentity } from './normalize-identity';

/**
 * Parses an identity written as one string (a request body's `identity`, a CLI argument): `email:ann@example.com`, `phone:+4930123456`,
 * `social:instagram:ann`, `chat:v-123`, `card:1234-5678`; normalised like on ingestion.
 */
export function parseIdentityParam(
  raw: string | undefined,
  defaultPhoneRegion?: string,
): Validated<ChannelIdentity> {
  const usage =
    'identity must look like email:ann@example.com, phone:+4930123456 or social:instagram:ann';
  if (!raw) return invalid({ path: 'identity', message: usage });
  const colon = raw.indexOf(':');
  const kind = raw.slice(0, colon) as IdentityKind;
  if (colon < 0 || !IDENTITY_KINDS.includes(kind))
    return invalid({ path: 'identity', message: usage });
  let value = raw.slice(colon + 1);
  let network: string | undefined;
  if (kind === 'social') {
    const second = value.indexOf(':');
    if (second < 0) return invalid({ path: 'identity', message: usage });
    network = value.slice(0, second);
    value = value.slice(second + 1);
  }
  return normalizeIdentity({ kind, value, ...(network ? { network } : {}) }, 'identity', {
    defaultPhoneRegion,
  });
}
