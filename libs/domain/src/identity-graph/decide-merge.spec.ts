import { decideMerge } from './decide-merge';
import { decideUnmerge } from './decide-unmerge';
import { type IdentityGraph, evolve } from './identity-graph';
import { type IdentityGraphEvent, customerMerged, customerUnmerged } from './identity-graph-events';
import {
  AT,
  CHAT_ADAPTER,
  STAFF,
  accepted,
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
} from './identity-graph.fixtures';
import {
  customerOfIdentity,
  identityKeysOf,
  mergeHistoryOf,
  mergedCustomersOf,
} from './identity-graph-queries';
import { DEFAULT_IDENTITY_POLICY } from './identity-policy';
import { resolveTouchpointIdentities } from './resolve-touchpoint-identities';

const ann = email('ann@example.com');
const annWork = email('ann@work.example');
const annPhone = phone('+4930123456');
const visitor = chat('V-1');
const other = email('other@example.com');

const merge = (graph: IdentityGraph, survivorId: string, mergedId: string) =>
  decideMerge(graph, { survivorId, mergedId, by: STAFF, at: AT, note: 'same person' });
const unmerge = (graph: IdentityGraph, survivorId: string, mergedId: string) =>
  decideUnmerge(graph, { survivorId, mergedId, by: STAFF, at: AT, note: 'not the same' });
const apply = (graph: IdentityGraph, events: readonly IdentityGraphEvent[]) =>
  events.reduce(evolve, graph);

describe('decideMerge', () => {
  const base = [firstSeen(ann), firstSeen(annWork), firstSeen(other)];
  const graph = given(base);

  it('merges one surviving customer into another', () => {
    expect(accepted(merge(graph, idOf(ann), idOf(annWork)))).toEqual([
      customerMerged({
        survivorId: idOf(ann),
        mergedId: idOf(annWork),
        evidence: [],
        by: STAFF,
        at: AT,
        reason: 'staff-decision',
        note: 'same person',
      }),
    ]);
  });

  it('takes the merged customer together with the customers merged into it', () => {
    const nested = given(base, staffMerged(idOf(annWork), idOf(other)));
    const after = apply(nested, accepted(merge(nested, idOf(ann), idOf(annWork))));
    expect(mergedCustomersOf(after, idOf(ann))).toEqual([idOf(annWork), idOf(other)].sort());
    expect(customerOfIdentity(after, keyOf(other))).toBe(idOf(ann));
  });

  it('ignores kind limits: they guard automatic decisions, not a person’s', () => {
    const policy = { ...DEFAULT_IDENTITY_POLICY, maxPerKind: { email: 1 } };
    expect(
      decideMerge(
        graph,
        { survivorId: idOf(ann), mergedId: idOf(annWork), by: STAFF, at: AT },
        policy,
      ).ok,
    ).toBe(true);
  });

  it.each([
    ['unknown-customer', 'survivorId', () => merge(graph, 'nobody', idOf(ann))],
    ['unknown-customer', 'mergedId', () => merge(graph, idOf(ann), 'nobody')],
    ['merge-into-itself', 'mergedId', () => merge(graph, idOf(ann), idOf(ann))],
  ])('refuses: %s (%s)', (code, path, decide) => {
    expect(refusalOf(decide())).toMatchObject({ code, path });
  });

  it('refuses a customer already merged into the survivor, directly or through another', () => {
    const merged = given(
      base,
      staffMerged(idOf(annWork), idOf(other)),
      staffMerged(idOf(ann), idOf(annWork)),
    );
    expect(refusalOf(merge(merged, idOf(ann), idOf(annWork)))).toMatchObject({
      code: 'already-merged',
    });
    expect(refusalOf(merge(merged, idOf(ann), idOf(other)))).toMatchObject({
      code: 'already-merged',
    });
  });

  it('refuses to merge into a customer that is itself merged, naming where to merge instead', () => {
    const merged = given(base, staffMerged(idOf(ann), idOf(annWork)));
    expect(refusalOf(merge(merged, idOf(annWork), idOf(other)))).toEqual({
      code: 'survivor-is-merged',
      path: 'survivorId',
      message: `customer ${idOf(annWork)} is merged into ${idOf(ann)}: merge into ${idOf(ann)} instead`,
    });
  });

  it('refuses to merge a customer merged elsewhere', () => {
    const merged = given(base, staffMerged(idOf(ann), idOf(annWork)));
    expect(refusalOf(merge(merged, idOf(other), idOf(annWork)))).toMatchObject({
      code: 'customer-is-merged',
      path: 'mergedId',
    });
  });

  it('refuses customers that hold a blocked identity', () => {
    const policy = { ...DEFAULT_IDENTITY_POLICY, blocked: ['email:other@*'] };
    const decision = decideMerge(
      graph,
      { survivorId: idOf(ann), mergedId: idOf(other), by: STAFF, at: AT },
      policy,
    );
    expect(refusalOf(decision)).toMatchObject({ code: 'blocked-identity', path: 'mergedId' });
  });
});

describe('decideUnmerge', () => {
  it('undoes a merge', () => {
    const graph = given(firstSeen(ann), firstSeen(annWork), staffMerged(idOf(ann), idOf(annWork)));
    expect(accepted(unmerge(graph, idOf(ann), idOf(annWork)))).toEqual([
      customerUnmerged({
        survivorId: idOf(ann),
        mergedId: idOf(annWork),
        by: STAFF,
        at: AT,
        reason: 'staff-decision',
        note: 'not the same',
      }),
    ]);
  });

  it('refuses what was not merged, or merged elsewhere', () => {
    const graph = given(
      firstSeen(ann),
      firstSeen(annWork),
      firstSeen(other),
      staffMerged(idOf(ann), idOf(annWork)),
    );
    expect(refusalOf(unmerge(graph, idOf(ann), idOf(other)))).toEqual({
      code: 'not-merged',
      path: 'mergedId',
      message: `customer ${idOf(other)} is not merged into any customer`,
    });
    expect(refusalOf(unmerge(graph, idOf(other), idOf(annWork)))).toMatchObject({
      code: 'not-merged',
      message: `customer ${idOf(annWork)} is merged into ${idOf(ann)}, not into ${idOf(other)}`,
    });
    expect(refusalOf(unmerge(graph, 'nobody', idOf(annWork)))).toMatchObject({
      code: 'unknown-customer',
      path: 'survivorId',
    });
    expect(refusalOf(unmerge(graph, idOf(ann), 'nobody'))).toMatchObject({
      code: 'unknown-customer',
      path: 'mergedId',
    });
  });

  it('splits back exactly: what the merged customer held returns, what joined the survivor since stays', () => {
    // ann and annPhone merge automatically on a touchpoint; then a chat visitor logs in with
    // annPhone (the merged customer's identity) — it joins the survivor, where touchpoints land.
    let graph = given(
      firstSeen(ann),
      firstSeen(annPhone),
      seenWith(annWork, idOf(annPhone), annPhone),
    );
    const mergedOnTouchpoint = accepted(
      resolveTouchpointIdentities(graph, {
        identities: [ann, annPhone],
        source: CHAT_ADAPTER,
        at: AT,
      }),
    );
    expect(mergedOnTouchpoint.events).toEqual([
      expect.objectContaining({ type: 'customer.merged.v1' }),
    ]);
    graph = apply(graph, mergedOnTouchpoint.events);
    const loggedIn = accepted(
      resolveTouchpointIdentities(graph, {
        identities: [visitor, annPhone],
        source: CHAT_ADAPTER,
        at: AT,
      }),
    );
    graph = apply(graph, loggedIn.events);
    expect(identityKeysOf(graph, idOf(ann))).toEqual(
      [keyOf(visitor), keyOf(ann), keyOf(annWork), keyOf(annPhone)].sort(),
    );

    graph = apply(graph, accepted(unmerge(graph, idOf(ann), idOf(annPhone))));
    expect(identityKeysOf(graph, idOf(ann))).toEqual([keyOf(visitor), keyOf(ann)].sort());
    expect(identityKeysOf(graph, idOf(annPhone))).toEqual([keyOf(annWork), keyOf(annPhone)].sort());
    expect(mergedCustomersOf(graph, idOf(ann))).toEqual([]);
    expect(
      mergeHistoryOf(graph, idOf(annPhone)).map((r) => [r.action, r.by.kind, r.reason]),
    ).toEqual([
      ['merged', 'adapter', 'verified-identities'],
      ['unmerged', 'staff', 'staff-decision'],
    ]);
    // …and the pair is not merged again automatically on the next touchpoint.
    const next = accepted(
      resolveTouchpointIdentities(graph, {
        identities: [ann, annPhone],
        source: CHAT_ADAPTER,
        at: AT,
      }),
    );
    expect(next.events).toEqual([]);
  });

  it('restores a nested structure in any order of unmerges', () => {
    const a = idOf(ann);
    const b = idOf(annWork);
    const c = idOf(other);
    const graph = given(
      firstSeen(ann),
      firstSeen(annWork),
      firstSeen(other),
      staffMerged(b, c),
      staffMerged(a, b),
    );
    expect(mergedCustomersOf(graph, a)).toEqual([b, c].sort());
    const innerFirst = apply(graph, accepted(unmerge(graph, b, c)));
    expect(mergedCustomersOf(innerFirst, a)).toEqual([b]);
    expect(customerOfIdentity(innerFirst, keyOf(other))).toBe(c);
    const outerFirst = apply(graph, accepted(unmerge(graph, a, b)));
    expect(mergedCustomersOf(outerFirst, b)).toEqual([c]);
    expect(customerOfIdentity(outerFirst, keyOf(other))).toBe(b);
  });
});
