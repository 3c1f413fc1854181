import { compareStrings } from './compare-strings';
import { type CustomerRecord, type IdentityGraph, type IdentityRecord } from './identity-graph';

/** The graph as plain, sorted data: comparable with `toEqual`, printable, serialisable as JSON. */
export interface IdentityGraphSnapshot {
  readonly eventCount: number;
  readonly identities: Readonly<Record<string, IdentityRecord>>;
  readonly customers: Readonly<Record<string, CustomerRecord>>;
  readonly keptApart: readonly string[];
  readonly suggestedPairs: readonly string[];
}

/**
 * Two graphs are equal when their snapshots are: the persistent maps inside are
 * canonical, but comparing plain sorted data says so without relying on it.
 */
export function identityGraphSnapshot(graph: IdentityGraph): IdentityGraphSnapshot {
  const sortedRecord = <V>(entries: Iterable<[string, V]>): Record<string, V> =>
    Object.fromEntries([...entries].sort(([a], [b]) => compareStrings(a, b)));
  return {
    eventCount: graph.eventCount,
    identities: sortedRecord(graph.identities.entries()),
    customers: sortedRecord(graph.customers.entries()),
    keptApart: [...graph.keptApart.keys()].sort(compareStrings),
    suggestedPairs: [...graph.suggestedPairs.keys()].sort(compareStrings),
  };
}
