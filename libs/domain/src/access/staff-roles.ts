/**
 * Staff roles, from the least to the most trusted per line of work:
 * - `agent` reads customers and ideas and acts on a customer's behalf;
 * - `supervisor` also changes identities (merge, unmerge, link, unlink) and runs the idea backlog;
 * - `data` reads how the platform runs (projections, statistics);
 * - `admin` also rebuilds projections, manages adapter keys and reads the audit trail.
 */
export const STAFF_ROLES = ['agent', 'supervisor', 'data', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The roles a role includes: a supervisor may do what an agent may, an admin what `data` may. */
const INCLUDES: Readonly<Record<StaffRole, readonly StaffRole[]>> = {
  agent: ['agent'],
  supervisor: ['supervisor', 'agent'],
  data: ['data'],
  admin: ['admin', 'data'],
};

export function isStaffRole(value: unknown): value is StaffRole {
  return (STAFF_ROLES as readonly unknown[]).includes(value);
}

/** The roles a principal holding `granted` effectively has; unknown role names are ignored. */
export function effectiveRoles(granted: readonly unknown[]): ReadonlySet<StaffRole> {
  const roles = new Set<StaffRole>();
  for (const role of granted) if (isStaffRole(role)) for (const r of INCLUDES[role]) roles.add(r);
  return roles;
}
