import { customerIdFor, customerStreamId } from '../identity/customer-id';
import { type ChannelIdentity, identityKey } from '../identity/channel-identity';
import { restartedCustomerIdFor } from '../identity-graph/fresh-customer-id';
import { IdentityGraphEventTypes } from '../identity-graph/identity-graph-events';
import { DEFAULT_IDENTITY_POLICY } from '../identity-graph/identity-policy';
import { IDENTITY_GRAPH_STREAM } from '../identity-graph/touchpoint-identities-of';
import { CUSTOMER_ERASED_V1 } from './erasure-events';
import {
  type LoggedEventOf,
  PlainLogError,
  PlainLogPseudonyms,
  pseudonymousSchemeProblems,
} from './plain-log-pseudonyms';
import { type IdentityHasher, pseudonymise } from './pseudonymous-identity';

/** A stand-in for the blind index: deterministic, 22 base64url characters (not a secure hash). */
const hash: IdentityHasher = (key) => {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 22; round++) {
    for (const c of `${round}:${key}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(36);
  }
  return `~${out.slice(0, 22)}`;
};

const ann: ChannelIdentity = { kind: 'email', value: 'ann@example.com', verified: true };
const card: ChannelIdentity = { kind: 'card', value: 'AB1234' };
const noreply: ChannelIdentity = { kind: 'email', value: 'noreply@shop.example' };
const pseudo = (i: ChannelIdentity) => {
  const { plainValue: _p, ...rest } = pseudonymise(i, hash);
  return rest;
};

function touchpoint(identity: ChannelIdentity, further?: ChannelIdentity[]) {
  const customerId = customerIdFor(identity);
  return {
    streamId: customerStreamId(customerId),
    type: 'touchpoint.recorded.v1',
    data: {
      channel: 'email',
      direction: 'inbound',
      identity,
      ...(further ? { identities: further } : {}),
      content: { text: 'hello' },
    },
    metadata: {
      ce: { id: '1', source: 'a', time: '2026-01-01T00:00:00Z' },
      occurredAt: '2026-01-01T00:00:00.000Z',
      customerId,
      identityKey: identityKey(identity),
    },
  };
}

const by = { kind: 'staff', staffId: 's' };
const at = '2026-01-01T00:00:00.000Z';
const unlinkCard = {
  streamId: IDENTITY_GRAPH_STREAM,
  type: IdentityGraphEventTypes.identityUnlinked,
  data: {
    identity: card,
    fromCustomerId: customerIdFor(card),
    toCustomerId: restartedCustomerIdFor(card, 1),
    reason: 'explicit-unlink',
    by,
    at,
  },
  metadata: { causationId: 'x' },
};
const linkNoreply = {
  streamId: IDENTITY_GRAPH_STREAM,
  type: IdentityGraphEventTypes.identityLinked,
  data: { identity: noreply, customerId: customerIdFor(noreply), reason: 'first-seen', by, at },
  metadata: { causationId: 'y', causePosition: 3 },
};
const vote = {
  streamId: 'idea-1',
  type: 'idea.voted.v1',
  data: { ideaId: '1', customerId: restartedCustomerIdFor(card, 1), origin: { kind: 'staff' }, at },
  metadata: {},
};
const erased = {
  streamId: 'customer-erasures',
  type: CUSTOMER_ERASED_V1,
  data: {
    customerId: customerIdFor(ann),
    erasedCustomerIds: [customerIdFor(ann)],
    identityKeys: [identityKey(ann), 'social:insta:ann_h'],
    reason: 'ticket 1',
    requestedBy: 'cli',
    at,
  },
  metadata: {},
};

function learnt(...events: LoggedEventOf[]) {
  const pseudonyms = new PlainLogPseudonyms(hash, DEFAULT_IDENTITY_POLICY);
  events.forEach((e, i) => pseudonyms.learn(e, i + 1));
  return pseudonyms;
}

describe('PlainLogPseudonyms', () => {
  const log = [touchpoint(ann, [card]), unlinkCard, linkNoreply, vote, erased];

  it('re-derives streams, identity keys and customer ids (restarts included) from pseudonyms', () => {
    const p = learnt(...log);
    const [tp, unlink, link, voted, erasure] = log.map((e) => p.rewrite(e));
    const annP = pseudonymise(ann, hash);
    expect(tp.streamId).toBe(customerStreamId(customerIdFor(annP)));
    expect(tp.data).toMatchObject({
      identity: { kind: 'email', value: annP.value, plainValue: ann.value, verified: true },
      identities: [{ kind: 'card', value: pseudo(card).value, plainValue: card.value }],
      content: { text: 'hello' },
    });
    expect(tp.metadata).toMatchObject({
      customerId: customerIdFor(annP),
      identityKey: `email:${annP.value}`,
    });
    expect(unlink.data).toMatchObject({
      identity: pseudo(card),
      fromCustomerId: customerIdFor(pseudo(card)),
      toCustomerId: restartedCustomerIdFor(pseudo(card), 1),
    });
    // Blocked by policy: the fact survives the plain value's removal.
    expect((link.data as { identity: unknown }).identity).toEqual({
      ...pseudo(noreply),
      blocked: true,
    });
    expect((voted.data as { customerId: string }).customerId).toBe(
      restartedCustomerIdFor(pseudo(card), 1),
    );
    expect(erasure.data).toMatchObject({
      customerId: customerIdFor(annP),
      erasedCustomerIds: [customerIdFor(annP)],
      identityKeys: [`email:${annP.value}`, `social:insta:${hash('social:insta:ann_h')}`],
    });
    expect(p.erasedCustomerIds()).toEqual([customerIdFor(annP)]);
    for (const e of [tp, unlink, link].map((r, i) => ({ ...log[i], ...r })))
      expect(pseudonymousSchemeProblems(e, hash)).toEqual([]);
  });

  it('restores every event it rewrote', () => {
    const p = learnt(...log);
    for (const event of log) {
      const back = p.restore({ ...event, ...p.rewrite(event) });
      expect({ ...event, ...back }).toEqual(event);
    }
  });

  it('refuses a log that is pseudonymous already, or not filed the way the plain release filed it', () => {
    const p = learnt(...log);
    const rewritten = { ...log[0], ...p.rewrite(log[0]) };
    expect(() => learnt(rewritten)).toThrow(PlainLogError);
    expect(() => learnt(rewritten)).toThrow(/pseudonymous already/);
    const misfiled = touchpoint(ann);
    expect(() =>
      learnt({ ...misfiled, metadata: { ...misfiled.metadata, customerId: 'someone-else' } }),
    ).toThrow(/not filed under the customer its identity derives/);
  });

  it('names what breaks the scheme', () => {
    const p = learnt(...log);
    const good = { ...log[0], ...p.rewrite(log[0]) };
    const data = good.data as { identity: { plainValue: string } };
    const swapped = {
      ...good,
      data: { ...data, identity: { ...data.identity, plainValue: 'bob@example.com' } },
    };
    expect(pseudonymousSchemeProblems(swapped, hash)).toEqual([
      'data.identity: the pseudonym is not that of its plain value',
    ]);
    expect(pseudonymousSchemeProblems({ ...good, streamId: 'customer-x' }, hash)).toEqual([
      'the stream is not the pseudonymous customer’s',
    ]);
    expect(pseudonymousSchemeProblems(log[1], hash)).toEqual([
      'an identity-graph identity is not pseudonymous',
    ]);
  });
});
