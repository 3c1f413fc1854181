import { type ChannelIdentity } from '../identity/channel-identity';
import { type IdentityGraph, evolve } from './identity-graph';
import {
  customerMergeSuggested,
  customerMerged,
  identityLinked,
  type IdentityGraphEvent,
} from './identity-graph-events';
import {
  AT,
  ADAPTER,
  CHAT_ADAPTER,
  accepted,
  card,
  chat,
  email,
  firstSeen,
  given,
  idOf,
  keyOf,
  phone,
  refusalOf,
  seenWith,
  staffMerged,
  staffUnmerged,
} from './identity-graph.fixtures';
import {
  customerOfIdentity,
  identityKeysOf,
  openMergeSuggestionsOf,
} from './identity-graph-queries';
import { DEFAULT_IDENTITY_POLICY, type IdentityPolicy } from './identity-policy';
import { resolveTouchpointIdentities } from './resolve-touchpoint-identities';
import { freshCustomerIdFor } from './fresh-customer-id';

const ann = email('ann@example.com');
const annWork = email('ann@work.example');
const annPhone = phone('+4930123456');
const annCard = card('AB1234');
const visitor = chat('V-1');
const bob = email('bob@example.com');

/** The policy before anonymous kinds existed: chat ids never merge without staff. */
const NO_ANONYMOUS_KINDS: IdentityPolicy = { ...DEFAULT_IDENTITY_POLICY, anonymousKinds: [] };

function touch(
  graph: IdentityGraph,
  identities: ChannelIdentity[],
  policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
) {
  return resolveTouchpointIdentities(graph, { identities, source: CHAT_ADAPTER, at: AT }, policy);
}

function apply(graph: IdentityGraph, events: readonly IdentityGraphEvent[]): IdentityGraph {
  return events.reduce(evolve, graph);
}

describe('resolveTouchpointIdentities', () => {
  it('refuses a touchpoint without identities', () => {
    expect(refusalOf(touch(given(), []))).toMatchObject({
      code: 'no-identity',
      path: 'identities',
    });
  });

  it('starts the deterministic customer of an unknown identity', () => {
    const result = accepted(touch(given(), [ann]));
    expect(result).toEqual({
      customerId: idOf(ann),
      homeCustomerId: idOf(ann),
      primaryIdentity: ann,
      events: [firstSeen(ann)],
    });
  });

  it('lands a known identity on its customer and appends nothing', () => {
    const result = accepted(touch(given(firstSeen(ann)), [ann]));
    expect(result.customerId).toBe(idOf(ann));
    expect(result.events).toEqual([]);
  });

  it('lands a known identity on the survivor its customer was merged into', () => {
    const graph = given(firstSeen(ann), firstSeen(bob), staffMerged(idOf(bob), idOf(ann)));
    const result = accepted(touch(graph, [ann]));
    expect(result).toMatchObject({ customerId: idOf(bob), homeCustomerId: idOf(ann), events: [] });
  });

  it('starts a customer for the primary identity (by priority) when none is known; the others join it', () => {
    const result = accepted(touch(given(), [visitor, ann, annCard]));
    expect(result.customerId).toBe(idOf(annCard));
    expect(result.primaryIdentity).toEqual(annCard);
    expect(result.events).toEqual([
      firstSeen(annCard),
      seenWith(ann, idOf(annCard), annCard),
      seenWith(visitor, idOf(annCard), annCard),
    ]);
  });

  it('attaches unknown identities to the customer of a known one (a chat visitor logs in)', () => {
    const result = accepted(touch(given(firstSeen(ann)), [visitor, ann]));
    expect(result.customerId).toBe(idOf(ann));
    expect(result.events).toEqual([seenWith(visitor, idOf(ann), ann)]);
  });

  it('counts an identity once, and verified when any occurrence is', () => {
    const graph = given(firstSeen(ann), firstSeen(annPhone));
    const result = accepted(touch(graph, [{ ...ann, verified: false }, ann, annPhone, annPhone]));
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({ type: 'customer.merged.v1' });
  });

  describe('known identities of different customers', () => {
    it('merges automatically when every joining identity is verified and auto-mergeable', () => {
      const graph = given(firstSeen(annPhone), firstSeen(annWork));
      const result = accepted(touch(graph, [annWork, annPhone]));
      // E-mail ranks above phone: the e-mail customer survives although it is younger.
      expect(result.customerId).toBe(idOf(annWork));
      expect(result.events).toEqual([
        customerMerged({
          survivorId: idOf(annWork),
          mergedId: idOf(annPhone),
          evidence: [annWork, annPhone],
          by: ADAPTER,
          at: AT,
          reason: 'verified-identities',
        }),
      ]);
    });

    it('breaks a tie on kind by age: the customer first seen survives', () => {
      const graph = given(firstSeen(annWork), firstSeen(ann));
      const result = accepted(touch(graph, [ann, annWork]));
      expect(result.customerId).toBe(idOf(annWork));
      expect(result.events[0]).toMatchObject({
        data: { survivorId: idOf(annWork), mergedId: idOf(ann) },
      });
    });

    it('counts a merge group as old as its oldest member', () => {
      const cyd = email('cyd@example.com');
      // ann is oldest; cyd (youngest) absorbed ann, so cyd's group is older than bob.
      const graph = given(
        firstSeen(ann),
        firstSeen(bob),
        firstSeen(cyd),
        staffMerged(idOf(cyd), idOf(ann)),
      );
      const result = accepted(touch(graph, [bob, cyd]));
      expect(result.customerId).toBe(idOf(cyd));
      expect(result.events[0]).toMatchObject({
        data: { survivorId: idOf(cyd), mergedId: idOf(bob) },
      });
    });

    it('lets the customer with the most trustworthy kind survive, even when younger', () => {
      const graph = given(
        firstSeen(ann),
        firstSeen(annCard),
        seenWith(annPhone, idOf(annCard), annCard),
      );
      const result = accepted(touch(graph, [ann, annPhone]));
      expect(result.customerId).toBe(idOf(annCard));
      expect(result.events[0]).toMatchObject({
        data: { survivorId: idOf(annCard), mergedId: idOf(ann) },
      });
    });

    it('suggests instead of merging when a joining identity is unverified, and only once per pair', () => {
      const graph = given(firstSeen(ann), firstSeen(annWork));
      const unverified = { ...annWork, verified: false };
      const first = accepted(touch(graph, [ann, unverified]));
      expect(first.customerId).toBe(idOf(ann));
      expect(first.events).toEqual([
        customerMergeSuggested({
          survivorId: idOf(ann),
          mergedId: idOf(annWork),
          evidence: [ann, unverified],
          by: ADAPTER,
          at: AT,
          reason: 'unverified-identity',
        }),
      ]);
      const again = accepted(touch(apply(graph, first.events), [ann, unverified]));
      expect(again.events).toEqual([]);
    });

    it('suggests when a joining identity is of a kind policy never merges automatically', () => {
      const graph = given(firstSeen(ann), firstSeen(visitor));
      const result = accepted(touch(graph, [ann, visitor], NO_ANONYMOUS_KINDS));
      expect(result.customerId).toBe(idOf(ann));
      expect(result.events).toEqual([
        expect.objectContaining({
          type: 'customer.merge-suggested.v1',
          data: expect.objectContaining({ reason: 'kind-not-auto-mergeable' }),
        }),
      ]);
    });

    it('merges an anonymous visitor into the customer whose verified e-mail came with it (a log-in)', () => {
      const graph = given(firstSeen(ann), firstSeen(visitor));
      const result = accepted(touch(graph, [ann, visitor]));
      expect(result.customerId).toBe(idOf(ann));
      expect(result.events).toEqual([
        expect.objectContaining({
          type: 'customer.merged.v1',
          data: expect.objectContaining({
            survivorId: idOf(ann),
            mergedId: idOf(visitor),
            reason: 'anonymous-signed-in',
          }),
        }),
      ]);
    });

    it('only suggests a log-in merge when the e-mail is not verified', () => {
      const graph = given(firstSeen(ann), firstSeen(visitor));
      const result = accepted(touch(graph, [{ ...ann, verified: false }, visitor]));
      expect(result.events).toEqual([
        expect.objectContaining({ type: 'customer.merge-suggested.v1' }),
      ]);
    });

    it('never merges a known customer into another through a visitor id they share', () => {
      // The visitor's customer also holds an e-mail: it is not anonymous, so no log-in merge.
      const graph = given(
        firstSeen(ann),
        firstSeen(annWork),
        seenWith(visitor, idOf(annWork), annWork),
      );
      const result = accepted(touch(graph, [{ ...ann, verified: true }, visitor]));
      expect(result.events).toEqual([
        expect.objectContaining({
          type: 'customer.merge-suggested.v1',
          data: expect.objectContaining({ reason: 'kind-not-auto-mergeable' }),
        }),
      ]);
    });

    it('suggests when the merged customer would hold more identities of a kind than policy allows', () => {
      const policy = { ...DEFAULT_IDENTITY_POLICY, maxPerKind: { email: 2 } };
      const graph = given(
        firstSeen(ann),
        seenWith(email('ann@home.example'), idOf(ann), ann),
        firstSeen(annWork),
      );
      const result = accepted(touch(graph, [ann, annWork], policy));
      expect(result.events).toEqual([
        expect.objectContaining({ data: expect.objectContaining({ reason: 'kind-limit' }) }),
      ]);
    });

    it('suggests when one customer holds an identity policy now blocks (the policy changed since it was linked)', () => {
      const shared = email('info@shop.example');
      const graph = given(firstSeen(ann), seenWith(shared, idOf(ann), ann), firstSeen(annWork));
      const policy = { ...DEFAULT_IDENTITY_POLICY, blocked: ['email:info@*'] };
      const result = accepted(touch(graph, [ann, annWork], policy));
      expect(result.events).toEqual([
        expect.objectContaining({
          data: expect.objectContaining({ reason: 'holds-blocked-identity' }),
        }),
      ]);
    });

    it('neither merges nor suggests customers a staff member unmerged', () => {
      const graph = given(
        firstSeen(ann),
        firstSeen(annWork),
        staffMerged(idOf(ann), idOf(annWork)),
        staffUnmerged(idOf(ann), idOf(annWork)),
      );
      const result = accepted(touch(graph, [ann, annWork]));
      expect(result).toMatchObject({ customerId: idOf(ann), events: [] });
    });

    it('keeps customers apart whose merge groups a staff member separated, after further merges', () => {
      const graph = given(
        firstSeen(ann),
        firstSeen(annWork),
        firstSeen(annPhone),
        staffMerged(idOf(ann), idOf(annWork)),
        staffUnmerged(idOf(ann), idOf(annWork)),
        staffMerged(idOf(annPhone), idOf(annWork)),
      );
      expect(accepted(touch(graph, [ann, annPhone])).events).toEqual([]);
    });

    it('judges each other customer against the survivor: merges one, suggests another', () => {
      const graph = given(firstSeen(ann), firstSeen(annWork), firstSeen(visitor));
      const result = accepted(touch(graph, [visitor, annWork, ann], NO_ANONYMOUS_KINDS));
      expect(result.customerId).toBe(idOf(ann));
      expect(result.events.map((e) => [e.type, (e.data as { mergedId: string }).mergedId])).toEqual(
        [
          ['customer.merged.v1', idOf(annWork)],
          ['customer.merge-suggested.v1', idOf(visitor)],
        ],
      );
      // The suggestion's evidence: every identity on the touchpoint of either customer, as merged.
      expect(result.events[1].data).toMatchObject({ evidence: [ann, annWork, visitor] });
    });

    it('attaches unknown identities to the survivor after the merges', () => {
      const graph = given(firstSeen(ann), firstSeen(annPhone));
      const result = accepted(touch(graph, [annPhone, ann, visitor]));
      expect(result.events).toEqual([
        expect.objectContaining({ type: 'customer.merged.v1' }),
        seenWith(visitor, idOf(ann), ann),
      ]);
      expect(identityKeysOf(apply(graph, result.events), idOf(ann))).toEqual(
        [keyOf(visitor), keyOf(ann), keyOf(annPhone)].sort(),
      );
    });

    it('files the touchpoint under the home customer of its primary identity', () => {
      const graph = given(
        firstSeen(annCard),
        firstSeen(ann),
        staffMerged(idOf(ann), idOf(annCard)),
      );
      const result = accepted(touch(graph, [ann, annCard]));
      expect(result).toMatchObject({
        customerId: idOf(ann),
        homeCustomerId: idOf(annCard),
        primaryIdentity: annCard,
      });
    });
  });

  describe('kind limits', () => {
    const policy = { ...DEFAULT_IDENTITY_POLICY, maxPerKind: { email: 2 } };

    it('starts an own customer for an identity past the limit and suggests the merge', () => {
      const third = email('ann@third.example');
      const graph = given(firstSeen(ann), seenWith(annWork, idOf(ann), ann));
      const result = accepted(touch(graph, [ann, third], policy));
      expect(result.customerId).toBe(idOf(ann));
      expect(result.events).toEqual([
        firstSeen(third),
        customerMergeSuggested({
          survivorId: idOf(ann),
          mergedId: idOf(third),
          evidence: [ann, third],
          by: ADAPTER,
          at: AT,
          reason: 'kind-limit',
        }),
      ]);
    });

    it('files the touchpoint with the customer it lands on, not with an identity kept apart', () => {
      const newCard = card('AA0001'); // sorts before annCard: first by priority
      const oneCard = { ...DEFAULT_IDENTITY_POLICY, maxPerKind: { card: 1 } };
      const result = accepted(touch(given(firstSeen(annCard)), [newCard, annCard], oneCard));
      expect(result).toMatchObject({
        customerId: idOf(annCard),
        homeCustomerId: idOf(annCard),
        primaryIdentity: annCard,
      });
      expect(result.events.map((e) => e.type)).toEqual([
        'identity.linked.v1',
        'customer.merge-suggested.v1',
      ]);
    });

    it('applies the limit to a new customer as well', () => {
      const third = email('ann@third.example');
      const result = accepted(touch(given(), [ann, annWork, third], policy));
      expect(result.events.map((e) => e.type)).toEqual([
        'identity.linked.v1',
        'identity.linked.v1',
        'identity.linked.v1',
        'customer.merge-suggested.v1',
      ]);
      const graph = apply(given(), result.events);
      expect(identityKeysOf(graph, result.customerId)).toHaveLength(2);
      expect(openMergeSuggestionsOf(graph, result.customerId)).toHaveLength(1);
    });
  });

  describe('blocked identities', () => {
    const shopPhone = phone('+4930999999');
    const policy = { ...DEFAULT_IDENTITY_POLICY, blocked: [keyOf(shopPhone), 'email:info@*'] };

    it('land on a customer of their own and link nobody', () => {
      const first = accepted(touch(given(), [shopPhone], policy));
      expect(first).toMatchObject({ customerId: idOf(shopPhone), events: [firstSeen(shopPhone)] });
      const graph = apply(given(), first.events);
      expect(accepted(touch(graph, [shopPhone], policy)).events).toEqual([]);
    });

    it('are ignored beside other identities: the touchpoint lands on the others', () => {
      const graph = given(firstSeen(shopPhone));
      const result = accepted(touch(graph, [shopPhone, email('info@shop.example'), ann], policy));
      expect(result).toMatchObject({ customerId: idOf(ann), events: [firstSeen(ann)] });
      expect(customerOfIdentity(apply(graph, result.events), keyOf(shopPhone))).toBe(
        idOf(shopPhone),
      );
    });

    it('land on the first blocked identity by priority when all are blocked', () => {
      const info = email('info@shop.example');
      const result = accepted(touch(given(), [shopPhone, info], policy));
      expect(result).toMatchObject({ customerId: idOf(info), events: [firstSeen(info)] });
    });

    it('block by the default patterns: no-reply senders', () => {
      const noreply = email('noreply@shop.example');
      const result = accepted(touch(given(firstSeen(ann)), [ann, noreply]));
      expect(result.events).toEqual([]);
    });
  });

  it('never reuses the id of a customer the graph already knows', () => {
    // However an id came to be held (here: a log written by hand), it is never handed out again.
    const taken = identityLinked({
      identity: annCard,
      customerId: idOf(ann),
      by: ADAPTER,
      at: AT,
      reason: 'first-seen',
    });
    const graph = given(taken);
    const result = accepted(touch(graph, [ann]));
    expect(result.customerId).toBe(freshCustomerIdFor(graph, ann));
    expect(result.customerId).not.toBe(idOf(ann));
  });
});
