import {
  bucketsOfCustomer,
  type ClosenessStreams,
  customerBucket,
  type CustomerErasedV1,
  type IdentityGraph,
} from '@rapport/domain';

/**
 * The buckets whose facts are a forgotten person's (`closeness-membership.ts`): their
 * identities, each erased customer id's own bucket and stream, and every bucket the graph
 * gives the customers they stand for. Both adapters delete these on `customer.erased`.
 */
export function erasedBuckets(
  erasure: CustomerErasedV1,
  graph: IdentityGraph,
  streams: ClosenessStreams,
): Set<string> {
  const buckets = new Set(erasure.identityKeys);
  for (const id of erasure.erasedCustomerIds) {
    buckets.add(customerBucket(id));
    const stream = streams.streamOfCustomer(id);
    if (stream !== undefined) buckets.add(stream);
    for (const bucket of bucketsOfCustomer(graph, id, streams) ?? []) buckets.add(bucket);
  }
  return buckets;
}
