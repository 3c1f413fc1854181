import { type ChannelIdentity } from '../identity/channel-identity';
import { decideLink } from './decide-link';
import { type IdentityGraph } from './identity-graph';
import { customerMerged, identityLinked, type IdentityActor } from './identity-graph-events';
import {
  ADAPTER,
  AT,
  STAFF,
  accepted,
  card,
  chat,
  email,
  firstSeen,
  given,
  idOf,
  phone,
  refusalOf,
  seenWith,
  staffMerged,
  staffUnmerged,
} from './identity-graph.fixtures';
import { DEFAULT_IDENTITY_POLICY, type IdentityPolicy } from './identity-policy';

const ann = email('ann@example.com');
const annWork = email('ann@work.example');
const annPhone = phone('+4930123456');
const annCard = card('AB1234');
const visitor = chat('V-1');

function link(
  graph: IdentityGraph,
  identity: ChannelIdentity,
  withIdentity: ChannelIdentity,
  by: IdentityActor = STAFF,
  policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
) {
  return decideLink(
    graph,
    { identity, withIdentity, by, at: AT, note: 'asked on the phone' },
    policy,
  );
}

describe('decideLink', () => {
  it('starts a customer for the first identity by priority when both are new; the other joins it', () => {
    expect(accepted(link(given(), visitor, annCard))).toEqual([
      identityLinked({
        identity: annCard,
        customerId: idOf(annCard),
        by: STAFF,
        at: AT,
        reason: 'first-seen',
        note: 'asked on the phone',
      }),
      identityLinked({
        identity: visitor,
        customerId: idOf(annCard),
        via: annCard,
        by: STAFF,
        at: AT,
        reason: 'explicit-link',
        note: 'asked on the phone',
      }),
    ]);
  });

  it('attaches a new identity to the surviving customer of the known one', () => {
    const graph = given(firstSeen(annWork), firstSeen(ann), staffMerged(idOf(ann), idOf(annWork)));
    expect(accepted(link(graph, visitor, annWork))).toEqual([
      identityLinked({
        identity: visitor,
        customerId: idOf(ann),
        via: annWork,
        by: STAFF,
        at: AT,
        reason: 'explicit-link',
        note: 'asked on the phone',
      }),
    ]);
  });

  it('refuses to link an identity to itself', () => {
    expect(refusalOf(link(given(), ann, { ...ann, verified: false }))).toMatchObject({
      code: 'same-identity',
      path: 'withIdentity',
    });
  });

  it('refuses blocked identities, naming which one', () => {
    const noreply = email('noreply@shop.example');
    expect(refusalOf(link(given(), ann, noreply))).toMatchObject({
      code: 'blocked-identity',
      path: 'withIdentity',
    });
    expect(refusalOf(link(given(), noreply, ann))).toMatchObject({
      code: 'blocked-identity',
      path: 'identity',
    });
  });

  it('refuses identities that already belong to the same customer', () => {
    const graph = given(firstSeen(ann), seenWith(visitor, idOf(ann), ann));
    expect(refusalOf(link(graph, visitor, ann))).toMatchObject({
      code: 'already-linked',
      message: `both identities already belong to customer ${idOf(ann)}`,
    });
  });

  it('refuses, past the kind limit, to add an identity to a customer', () => {
    const policy = { ...DEFAULT_IDENTITY_POLICY, maxPerKind: { email: 1 } };
    expect(refusalOf(link(given(firstSeen(ann)), annWork, ann, STAFF, policy))).toMatchObject({
      code: 'kind-limit',
      path: 'identity',
    });
    expect(refusalOf(link(given(), annWork, ann, STAFF, policy))).toMatchObject({
      code: 'kind-limit',
      path: 'identity',
    });
  });

  describe('identities of different customers', () => {
    it('points a staff member at the merge command, naming the survivor', () => {
      const graph = given(firstSeen(annPhone), firstSeen(ann));
      expect(refusalOf(link(graph, annPhone, ann))).toEqual({
        code: 'different-customers',
        path: 'withIdentity',
        message: expect.stringContaining(`merge customer ${idOf(annPhone)} into ${idOf(ann)}`),
      });
    });

    it('merges for an adapter when policy allows', () => {
      const graph = given(firstSeen(annPhone), firstSeen(ann));
      expect(accepted(link(graph, annPhone, ann, ADAPTER))).toEqual([
        customerMerged({
          survivorId: idOf(ann),
          mergedId: idOf(annPhone),
          evidence: [ann, annPhone],
          by: ADAPTER,
          at: AT,
          reason: 'verified-identities',
          note: 'asked on the phone',
        }),
      ]);
    });

    it('suggests for an adapter when policy does not allow it, once', () => {
      const graph = given(firstSeen(visitor), firstSeen(ann));
      const policy = { ...DEFAULT_IDENTITY_POLICY, anonymousKinds: [] };
      const events = accepted(link(graph, visitor, ann, ADAPTER, policy));
      expect(events).toEqual([
        expect.objectContaining({
          type: 'customer.merge-suggested.v1',
          data: expect.objectContaining({
            survivorId: idOf(ann),
            mergedId: idOf(visitor),
            reason: 'kind-not-auto-mergeable',
          }),
        }),
      ]);
      expect(
        accepted(
          link(given(firstSeen(visitor), firstSeen(ann), events), visitor, ann, ADAPTER, policy),
        ),
      ).toEqual([]);
    });

    it('refuses an adapter when staff unmerged the two customers', () => {
      const graph = given(
        firstSeen(annPhone),
        firstSeen(ann),
        staffMerged(idOf(ann), idOf(annPhone)),
        staffUnmerged(idOf(ann), idOf(annPhone)),
      );
      expect(refusalOf(link(graph, annPhone, ann, ADAPTER))).toMatchObject({ code: 'kept-apart' });
    });
  });
});
