export type StaffRole = 'agent' | 'supervisor' | 'data' | 'admin';

/** As the API decides (libs/domain staff-roles): a supervisor is an agent too, an admin `data`. */
const INCLUDES: Readonly<Record<StaffRole, readonly StaffRole[]>> = {
  agent: ['agent'],
  supervisor: ['supervisor', 'agent'],
  data: ['data'],
  admin: ['admin', 'data'],
};

export function effectiveRoles(granted: readonly unknown[]): ReadonlySet<StaffRole> {
  const roles = new Set<StaffRole>();
  for (const role of granted)
    if (typeof role === 'string' && role in INCLUDES)
      for (const r of INCLUDES[role as StaffRole]) roles.add(r);
  return roles;
}

/** The roles in an access token (a JWT), read at `claim` (a dotted path). Display only: the API decides. */
export function rolesInToken(accessToken: string, claim: string): ReadonlySet<StaffRole> {
  try {
    const payload = accessToken.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    let value: unknown = JSON.parse(json);
    for (const key of claim.split('.'))
      value =
        value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return effectiveRoles(Array.isArray(value) ? value : []);
  } catch {
    return new Set();
  }
}
