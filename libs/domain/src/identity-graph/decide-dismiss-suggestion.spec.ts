import { customerMergeSuggested } from './identity-graph-events';
import { decideDismissMergeSuggestion } from './decide-dismiss-suggestion';
import { evolve, type IdentityGraph } from './identity-graph';
import {
  ADAPTER,
  AT,
  STAFF,
  email,
  firstSeen,
  given,
  idOf,
  staffMerged,
} from './identity-graph.fixtures';
import { openMergeSuggestionsOf } from './identity-graph-queries';

const ann = email('ann@example.com');
const bob = email('bob@example.com');
const cat = email('cat@example.com');
const [a, b, c] = [idOf(ann), idOf(bob), idOf(cat)];

const suggested = (survivorId: string, mergedId: string) =>
  customerMergeSuggested({
    survivorId,
    mergedId,
    evidence: [ann, bob],
    by: ADAPTER,
    at: AT,
    reason: 'unverified-identity',
  });

function dismiss(graph: IdentityGraph, customerId: string, otherCustomerId: string) {
  return decideDismissMergeSuggestion(graph, { customerId, otherCustomerId, by: STAFF, at: AT });
}

describe('dismissing a merge suggestion', () => {
  const graph = given(firstSeen(ann), firstSeen(bob), firstSeen(cat), suggested(a, b));

  it('closes the suggestion for both sides, whichever side asks; the pair stays suggested once', () => {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ]) {
      const decision = dismiss(graph, from, to);
      if (!decision.ok) throw new Error(decision.errors[0].message);
      expect(decision.value).toEqual([
        {
          type: 'customer.merge-suggestion-dismissed.v1',
          data: { survivorId: a, mergedId: b, by: STAFF, at: AT },
        },
      ]);
      const after = decision.value.reduce(evolve, graph);
      expect(openMergeSuggestionsOf(after, a)).toEqual([]);
      expect(openMergeSuggestionsOf(after, b)).toEqual([]);
      expect(after.customers.get(a)?.mergeSuggestions[0].dismissed).toEqual({ by: STAFF, at: AT });
      expect(after.suggestedPairs.size).toBe(graph.suggestedPairs.size);
    }
  });

  it('works through a merged id: the survivor of a group dismisses for it', () => {
    const merged = evolve(graph, staffMerged(c, a)); // a is merged into c
    const decision = dismiss(merged, c, b);
    expect(decision.ok).toBe(true);
  });

  it('refuses an unknown customer, and a pair with no open suggestion (dismissed, merged)', () => {
    expect(dismiss(graph, a, '00000000-0000-4000-8000-000000000000')).toMatchObject({
      ok: false,
      errors: [{ code: 'unknown-customer', path: 'otherCustomerId' }],
    });
    expect(dismiss(graph, a, c)).toMatchObject({
      ok: false,
      errors: [{ code: 'no-open-suggestion' }],
    });
    const once = dismiss(graph, a, b);
    if (!once.ok) throw new Error('refused');
    expect(dismiss(once.value.reduce(evolve, graph), a, b)).toMatchObject({
      ok: false,
      errors: [{ code: 'no-open-suggestion' }],
    });
    expect(dismiss(evolve(graph, staffMerged(a, b)), a, b)).toMatchObject({ ok: false });
  });
});
