import {
  type Admin,
  type AclEntry,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type Kafka,
  ResourcePatternTypes,
} from 'kafkajs';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';

/** `infra/kafka/acls.json` of this repository: Rapport's Kafka principals and their ACLs. */
export const DEFAULT_ACLS_FILE = resolve(__dirname, '../../../../infra/kafka/acls.json');

const RESOURCES = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  transactionalId: AclResourceTypes.TRANSACTIONAL_ID,
} as const;
type ResourceKind = keyof typeof RESOURCES;

const OPERATIONS = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Create: AclOperationTypes.CREATE,
  Delete: AclOperationTypes.DELETE,
  Alter: AclOperationTypes.ALTER,
  Describe: AclOperationTypes.DESCRIBE,
} as const;
export type AclOperationName = keyof typeof OPERATIONS;

const PATTERNS = {
  literal: ResourcePatternTypes.LITERAL,
  prefixed: ResourcePatternTypes.PREFIXED,
} as const;

/** One allowed resource of a principal: `{ "topic": "touchpoints.email", "operations": ["Write"] }`. */
export interface AclGrant {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly pattern: keyof typeof PATTERNS;
  readonly operations: readonly AclOperationName[];
}

export interface AclPlan {
  readonly superUsers: readonly string[];
  readonly principals: Readonly<Record<string, readonly AclGrant[]>>;
}

const PRINCIPAL = /^[a-z][a-z0-9._-]{0,63}$/;

/**
 * Reads the principals and ACLs (by default `infra/kafka/acls.json`, the file
 * `infra/local/kafka.sh` applies) and checks their shape, naming the entry of a mistake.
 */
export function loadAclPlan(file: string = DEFAULT_ACLS_FILE): AclPlan {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as {
    superUsers?: unknown;
    principals?: Record<string, { allow?: unknown }>;
  };
  const fail = (why: string): never => {
    throw new Error(`${basename(file)}: ${why}`);
  };
  if (!Array.isArray(raw.superUsers) || typeof raw.principals !== 'object' || !raw.principals) {
    fail('expected "superUsers" (a list) and "principals" (an object)');
  }
  const superUsers = raw.superUsers as string[];
  const principals: Record<string, AclGrant[]> = {};
  for (const name of [...superUsers, ...Object.keys(raw.principals ?? {})]) {
    if (typeof name !== 'string' || !PRINCIPAL.test(name)) {
      fail(`"${String(name)}" is not a valid principal name`);
    }
  }
  for (const [name, principal] of Object.entries(raw.principals ?? {})) {
    if (!Array.isArray(principal.allow)) fail(`${name}: "allow" must be a list`);
    principals[name] = (principal.allow as Record<string, unknown>[]).map((entry, i) => {
      const at = `${name}.allow[${i}]`;
      const kinds = (Object.keys(RESOURCES) as ResourceKind[]).filter((k) => k in entry);
      const resourceName = kinds.length === 1 ? entry[kinds[0]] : undefined;
      if (typeof resourceName !== 'string' || resourceName === '') {
        fail(`${at}: name one topic, group or transactionalId`);
      }
      const pattern = entry.pattern ?? 'literal';
      if (typeof pattern !== 'string' || !Object.hasOwn(PATTERNS, pattern)) {
        fail(`${at}: pattern is literal or prefixed`);
      }
      const operations = entry.operations;
      if (
        !Array.isArray(operations) ||
        operations.length === 0 ||
        operations.some((o) => typeof o !== 'string' || !Object.hasOwn(OPERATIONS, o))
      ) {
        fail(`${at}: operations are some of ${Object.keys(OPERATIONS).join(', ')}`);
      }
      return {
        kind: kinds[0],
        name: resourceName as string,
        pattern: pattern as keyof typeof PATTERNS,
        operations: operations as AclOperationName[],
      };
    });
  }
  return { superUsers, principals };
}

/**
 * The kafkajs ACL entries of a plan, for all its principals or the ones named, every
 * resource name under `prefix`: tests grant a principal exactly what it has in production,
 * on their own prefixed topics (`run1.touchpoints.email`) and groups.
 */
export function aclEntries(
  plan: AclPlan,
  options: { readonly prefix?: string; readonly principals?: readonly string[] } = {},
): AclEntry[] {
  const prefix = options.prefix ?? '';
  const names = options.principals ?? Object.keys(plan.principals);
  return names.flatMap((principal) => {
    const grants = plan.principals[principal];
    if (!grants) throw new Error(`no principal "${principal}" in the ACL plan`);
    return grants.flatMap((grant) =>
      grant.operations.map((operation) => ({
        resourceType: RESOURCES[grant.kind],
        resourceName: `${prefix}${grant.name}`,
        resourcePatternType: PATTERNS[grant.pattern],
        principal: `User:${principal}`,
        host: '*',
        operation: OPERATIONS[operation],
        permissionType: AclPermissionTypes.ALLOW,
      })),
    );
  });
}

/**
 * Creates the ACLs (an existing one is left as it is) and resolves once the broker answers
 * with them: a KRaft broker applies an ACL when it replays the controller's metadata record,
 * a moment after CreateAcls returned (longer while it replays many topic changes), and
 * authorises by what it has applied. `kafka` must be a super user's client.
 */
export async function grantAcls(
  kafka: Kafka,
  acl: readonly AclEntry[],
  options: { readonly timeoutMs?: number } = {},
): Promise<void> {
  if (acl.length === 0) return;
  await withAdmin(kafka, async (admin) => {
    await admin.createAcls({ acl: [...acl] });
    await untilBrokerShows(admin, acl, true, options.timeoutMs ?? 30_000);
  });
}

/** Deletes exactly these ACLs (tests remove what they granted), and waits until they are gone. */
export async function revokeAcls(
  kafka: Kafka,
  acl: readonly AclEntry[],
  options: { readonly timeoutMs?: number } = {},
): Promise<void> {
  if (acl.length === 0) return;
  await withAdmin(kafka, async (admin) => {
    await admin.deleteAcls({ filters: [...acl] });
    await untilBrokerShows(admin, acl, false, options.timeoutMs ?? 30_000);
  });
}

async function withAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

const aclKey = (a: {
  resourceType: number;
  resourceName: string;
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}) =>
  JSON.stringify([
    a.resourceType,
    a.resourceName,
    a.resourcePatternType,
    a.principal,
    a.host,
    a.operation,
    a.permissionType,
  ]);

async function untilBrokerShows(
  admin: Admin,
  acl: readonly AclEntry[],
  present: boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { resources } = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const shown = new Set(resources.flatMap((r) => r.acls.map((a) => aclKey({ ...r, ...a }))));
    const pending = acl.filter((a) => shown.has(aclKey(a)) !== present);
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the broker still ${present ? 'lacks' : 'has'} ${pending.length} ACL(s) after ${timeoutMs} ms, e.g. ${aclKey(pending[0])}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
