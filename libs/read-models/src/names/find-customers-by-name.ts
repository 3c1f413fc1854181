import { MAX_NAME_MATCHES } from './customer-names';
import { type TimelineReadModel } from '../timeline/timeline-read-model';

/** A customer a name search found. */
export interface CustomerByName {
  readonly customerId: string;
  /** The name that matched: the latest one of one of the customer's identities. */
  readonly name: string;
  /** When that name was last seen. */
  readonly seenAt: string;
}

/**
 * Customers whose identities' latest names start with `prefix` (folded for case and
 * diacritics, any word of the name), each customer once (a merged id answers as its
 * survivor), at most `limit`, in the order of the names. Erased people are not found.
 */
export async function findCustomersByName(
  model: TimelineReadModel,
  prefix: string,
  limit: number,
): Promise<CustomerByName[]> {
  const found: CustomerByName[] = [];
  const customers = new Set<string>();
  // Several identities of one person may match: ask for more names than customers wanted.
  const matches = await model.searchNames(prefix, Math.min(3 * limit, MAX_NAME_MATCHES));
  const owners = await Promise.all(matches.map((m) => model.customerByIdentity(m.identityKey)));
  matches.forEach((match, i) => {
    const customerId = owners[i];
    if (customerId === null || customers.has(customerId) || found.length >= limit) return;
    customers.add(customerId);
    found.push({ customerId, name: match.name.name, seenAt: match.name.occurredAt });
  });
  return found;
}
