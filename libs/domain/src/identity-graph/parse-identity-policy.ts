import { type IdentityPolicy, identityPolicyFrom } from './identity-policy';

/**
 * The identity policy from configuration text (`RAPPORT_IDENTITY_POLICY`, JSON with any of
 * `autoMergeKinds`, `priority`, `maxPerKind`, `blocked`); throws naming what is wrong.
 */
export function parseIdentityPolicy(
  json: string,
  name = 'RAPPORT_IDENTITY_POLICY',
): IdentityPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new Error(
      `${name}: not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`${name}: expected a JSON object`);
  const policy = identityPolicyFrom(raw as Partial<IdentityPolicy>, name);
  if (!policy.ok)
    throw new Error(`${name}: ${policy.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return policy.value;
}
