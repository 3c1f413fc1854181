import { type CustomerRedirects } from '@rapport/domain';

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
