import { type CustomerRedirects, mergedCustomersOf, resolveCustomer } from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import { IdentityGraphLog } from '../identity/identity-graph-log';

/**
 * Where a customer id leads today (the survivor of its merges). The identity read model
 * answers it; until it is wired in, every id stands for itself.
 */
export type ResolveCustomer = (customerId: string) => Promise<string | null>;

export const IDENTITY_RESOLVER: ResolveCustomer = async (customerId) => customerId;

/** A synchronous `CustomerRedirects` for the ids a decision needs, looked up once. */
export async function redirectsFor(
  customerIds: Iterable<string>,
  resolve: ResolveCustomer,
): Promise<CustomerRedirects> {
  const map = new Map<string, string>();
  await Promise.all(
    [...new Set(customerIds)].map(async (id) => map.set(id, (await resolve(id)) ?? id)),
  );
  return (id) => map.get(id) ?? id;
}

/** A snapshot of where every customer id leads, taken once per command. */
export type CustomerRedirectsSource = () => Promise<CustomerRedirects>;

/** Who a customer id is today, and every id that stands for the same person. */
export interface CustomerDirectory {
  readonly redirects: CustomerRedirects;
  /** The person's ids: the survivor and every customer merged into it. */
  idsOf(person: string): string[];
}

export type CustomerDirectorySource = () => Promise<CustomerDirectory>;

/**
 * The identity graph in the log (the `identity-graph` stream, folded on from where the
 * last call stopped): consistent with every merge and unmerge appended so far, in any
 * process that reaches the log — no read model has to have caught up.
 */
export function identityGraphDirectory(store: EventStore): CustomerDirectorySource {
  const log = new IdentityGraphLog(store);
  return async () => {
    const graph = await log.refresh();
    return {
      redirects: (customerId) => resolveCustomer(graph, customerId) ?? customerId,
      idsOf: (person) => [person, ...mergedCustomersOf(graph, person)],
    };
  };
}

/** Redirects from the identity graph in the log (see `identityGraphDirectory`). */
export function identityGraphRedirects(store: EventStore): CustomerRedirectsSource {
  const directory = identityGraphDirectory(store);
  return async () => (await directory()).redirects;
}
