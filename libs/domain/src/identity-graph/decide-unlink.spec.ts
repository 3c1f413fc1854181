import { decideUnlink } from './decide-unlink';
import { type IdentityGraph, evolve } from './identity-graph';
import { identityUnlinked } from './identity-graph-events';
import {
  AT,
  STAFF,
  accepted,
  chat,
  email,
  firstSeen,
  given,
  idOf,
  keyOf,
  refusalOf,
  seenWith,
  staffMerged,
} from './identity-graph.fixtures';
import { customerOfIdentity, identityKeysOf } from './identity-graph-queries';
import { type ChannelIdentity } from '../identity/channel-identity';

const ann = email('ann@example.com');
const family = email('family@example.com');
const visitor = chat('V-1');

const unlink = (graph: IdentityGraph, identity: ChannelIdentity) =>
  decideUnlink(graph, { identity, by: STAFF, at: AT, note: 'shared family address' });

describe('decideUnlink', () => {
  it('gives the identity a new customer of its own: its deterministic one when free', () => {
    const graph = given(firstSeen(ann), seenWith(family, idOf(ann), ann));
    const events = accepted(unlink(graph, { ...family, verified: true }));
    expect(events).toEqual([
      identityUnlinked({
        identity: { kind: 'email', value: 'family@example.com' },
        fromCustomerId: idOf(ann),
        toCustomerId: idOf(family),
        by: STAFF,
        at: AT,
        reason: 'explicit-unlink',
        note: 'shared family address',
      }),
    ]);
    const after = events.reduce(evolve, graph);
    expect(customerOfIdentity(after, keyOf(family))).toBe(idOf(family));
    expect(identityKeysOf(after, idOf(ann))).toEqual([keyOf(ann)]);
  });

  it('never reopens a customer the identity started before: the id is derived anew', () => {
    // family started the customer, ann joined, then family is unlinked from it.
    const graph = given(firstSeen(family), seenWith(ann, idOf(family), family));
    const [event] = accepted(unlink(graph, family));
    const toCustomerId = (event.data as { toCustomerId: string }).toCustomerId;
    expect(toCustomerId).not.toBe(idOf(family));
    // …and again after relinking: a third id, still deterministic.
    const relinked = given(
      firstSeen(family),
      seenWith(ann, idOf(family), family),
      event,
      staffMerged(idOf(family), toCustomerId),
    );
    expect(customerOfIdentity(relinked, keyOf(family))).toBe(idOf(family));
  });

  it('unlinks an identity held by a merged customer from that customer', () => {
    const graph = given(
      firstSeen(ann),
      firstSeen(family),
      seenWith(visitor, idOf(family), family),
      staffMerged(idOf(ann), idOf(family)),
    );
    const [event] = accepted(unlink(graph, visitor));
    expect(event.data).toMatchObject({ fromCustomerId: idOf(family), toCustomerId: idOf(visitor) });
  });

  it('refuses an identity that belongs to no customer', () => {
    expect(refusalOf(unlink(given(), ann))).toMatchObject({
      code: 'unknown-identity',
      path: 'identity',
    });
  });

  it('refuses the last identity a customer holds directly, even when it has merged customers', () => {
    const graph = given(firstSeen(ann), firstSeen(family), staffMerged(idOf(ann), idOf(family)));
    expect(refusalOf(unlink(graph, ann))).toMatchObject({
      code: 'last-identity',
      message: `it is the last identity customer ${idOf(ann)} holds: a customer keeps at least one`,
    });
  });
});
