import { type IdentityGraph } from './identity-graph';
import { identitiesOf, mergeGroupOf } from './identity-graph-queries';
import { compareStrings } from './compare-strings';
import { type IdentityPolicy, kindRank } from './identity-policy';

/**
 * Which of two surviving customers survives when they merge (and which one a touchpoint
 * joining them lands on). A total order on facts the log fixes, so a replay or another
 * replica always picks the same survivor:
 *
 * 1. the customer holding the most trustworthy kind of identity, by `policy.priority`
 *    (a loyalty-card holder over an e-mail-only customer: the card is issued to one person);
 * 2. then the older customer — the one whose merge group was first seen earliest in the
 *    log (its id is the one staff, other systems and earlier events already refer to);
 * 3. then the smaller id (only reachable for customers the graph has never seen).
 *
 * Returns a negative number when `a` survives.
 */
export function compareSurvivors(
  graph: IdentityGraph,
  policy: IdentityPolicy,
): (a: string, b: string) => number {
  const cache = new Map<string, { rank: number; since: number }>();
  const standing = (id: string) => {
    let known = cache.get(id);
    if (!known) {
      const rank = Math.min(
        policy.priority.length,
        ...identitiesOf(graph, id).map((identity) => kindRank(policy, identity.kind)),
      );
      const since = Math.min(
        Number.MAX_SAFE_INTEGER,
        ...mergeGroupOf(graph, id).map(
          (c) => graph.customers.get(c)?.since ?? Number.MAX_SAFE_INTEGER,
        ),
      );
      known = { rank, since };
      cache.set(id, known);
    }
    return known;
  };
  return (a, b) => {
    const sa = standing(a);
    const sb = standing(b);
    return sa.rank - sb.rank || sa.since - sb.since || compareStrings(a, b);
  };
}
