import { type INestApplication } from '@nestjs/common';
import { type TestIssuer, untilPasses, platformCustomerIdFor } from '@rapport/testing';
import { ADAPTER_KEY_HEADER } from './access-policy';
import { type AuthedHttp, embeddedHttpApp } from '../http/embedded-http-app.spec-helper';

let seq = 0;
function touchpoint(
  channel: string,
  identity: Record<string, unknown>,
  identities: Record<string, unknown>[] = [],
  source = 'crm://acme/eu',
) {
  seq += 1;
  return {
    specversion: '1.0',
    id: `acc-${seq}`,
    source,
    type: 'touchpoint.recorded.v1',
    time: new Date(Date.UTC(2026, 0, 1, 9, 0, seq)).toISOString(),
    data: {
      channel,
      direction: 'inbound',
      identity,
      ...(identities.length ? { identities } : {}),
    },
  };
}

describe('access over HTTP (embedded): adapter keys, verified trust, staff ids, audit', () => {
  let app: INestApplication;
  let http: AuthedHttp;
  let issuer: TestIssuer;
  let as: (headers: Record<string, string>) => AuthedHttp;
  let admin: AuthedHttp;

  const keyFor = async (scope: object) =>
    (
      await admin
        .post('/v1/admin/adapter-keys')
        .send({ name: 'test', ...scope })
        .expect(201)
    ).body.key as string;

  beforeAll(async () => {
    ({ app, http, issuer, as } = await embeddedHttpApp());
    admin = as({
      authorization: `Bearer ${await issuer.token({ subject: 'root', roles: ['admin'] })}`,
    });
  });
  afterAll(() => app.close());

  it('replays the takeover with an untrusted key: no merge, a suggestion at most', async () => {
    const victim = { kind: 'phone', value: '+4930111222', verified: true };
    const attacker = { kind: 'email', value: 'mallory@evil.example', verified: true };
    // The victim's phone is known through a trusted telephony adapter.
    const phoneKey = await keyFor({
      channels: ['phone'],
      sourcePatterns: ['*'],
      verifiedKinds: ['phone'],
    });
    await as({ [ADAPTER_KEY_HEADER]: phoneKey })
      .post('/v1/touchpoints')
      .send(touchpoint('phone', victim))
      .expect(202);
    // An adapter trusted for nothing claims both, verified.
    const untrusted = await keyFor({
      channels: ['email'],
      sourcePatterns: ['*'],
      verifiedKinds: [],
    });
    await as({ [ADAPTER_KEY_HEADER]: untrusted })
      .post('/v1/touchpoints')
      .send(touchpoint('email', attacker))
      .expect(202);
    await as({ [ADAPTER_KEY_HEADER]: untrusted })
      .post('/v1/touchpoints')
      .send(touchpoint('email', attacker, [victim]))
      .expect(202);
    const victimId = platformCustomerIdFor({ kind: 'phone', value: '+4930111222' });
    const attackerId = platformCustomerIdFor({ kind: 'email', value: 'mallory@evil.example' });
    await untilPasses(async () => {
      const profile = (await http.get(`/v1/customers/${victimId}`).expect(200)).body;
      expect(profile.openMergeSuggestions).toHaveLength(1);
    });
    const victimProfile = (await http.get(`/v1/customers/${victimId}`).expect(200)).body;
    expect(victimProfile.identities).toEqual([{ kind: 'phone', value: '+4930111222' }]);
    expect(victimProfile.mergedCustomers).toEqual([]);
    expect(victimProfile.openMergeSuggestions[0].reason).toBe('unverified-identity');
    await http.get(`/v1/customers/${attackerId}`).expect(200);
  });

  it('merges automatically when the key is trusted for e-mail and phone', async () => {
    const phone = { kind: 'phone', value: '+4930333444', verified: true };
    const mail = { kind: 'email', value: 'zoe@example.com', verified: true };
    const trusted = await keyFor({
      channels: ['email', 'phone'],
      sourcePatterns: ['crm://acme/*'],
      verifiedKinds: ['email', 'phone'],
    });
    const adapter = as({ [ADAPTER_KEY_HEADER]: trusted });
    await adapter.post('/v1/touchpoints').send(touchpoint('phone', phone)).expect(202);
    await adapter.post('/v1/touchpoints').send(touchpoint('email', mail)).expect(202);
    await adapter
      .post('/v1/touchpoints')
      .send(touchpoint('email', mail, [phone]))
      .expect(202);
    const phoneId = platformCustomerIdFor({ kind: 'phone', value: '+4930333444' });
    const mailId = platformCustomerIdFor({ kind: 'email', value: 'zoe@example.com' });
    await untilPasses(async () => {
      const one = (await http.get(`/v1/customers/${phoneId}`).expect(200)).body;
      const other = (await http.get(`/v1/customers/${mailId}`).expect(200)).body;
      expect(one.customerId).toBe(other.customerId);
    });
  });

  it('merges a chat visitor who logs in, when the widget is trusted to verify e-mail', async () => {
    const widget = await keyFor({
      channels: ['chat', 'email'],
      sourcePatterns: ['*'],
      verifiedKinds: ['email'],
    });
    const adapter = as({ [ADAPTER_KEY_HEADER]: widget });
    const mail = { kind: 'email', value: 'lena@example.com', verified: true };
    const visitor = { kind: 'chat', value: 'visitor-lena' };
    await adapter.post('/v1/touchpoints').send(touchpoint('email', mail)).expect(202);
    await adapter.post('/v1/touchpoints').send(touchpoint('chat', visitor)).expect(202);
    await adapter
      .post('/v1/touchpoints')
      .send(touchpoint('chat', visitor, [mail]))
      .expect(202);
    const known = platformCustomerIdFor({ kind: 'email', value: 'lena@example.com' });
    await untilPasses(async () => {
      const profile = (await http.get(`/v1/customers/${known}`).expect(200)).body;
      expect(profile.mergeHistory).toEqual([
        expect.objectContaining({ reason: 'anonymous-signed-in' }),
      ]);
      expect(profile.openMergeSuggestions).toEqual([]);
    });
  });

  it('refuses events outside the key’s channels or sources, alone in a batch', async () => {
    const key = await keyFor({
      channels: ['chat'],
      sourcePatterns: ['widget://shop/*'],
      verifiedKinds: [],
    });
    const adapter = as({ [ADAPTER_KEY_HEADER]: key });
    const wrongChannel = await adapter
      .post('/v1/touchpoints')
      .send(touchpoint('email', { kind: 'email', value: 'a@example.com' }, [], 'widget://shop/1'))
      .expect(400);
    expect(wrongChannel.body.errors).toEqual([
      { path: 'data.channel', message: 'this publisher may not publish on channel "email"' },
    ]);
    const batch = await adapter
      .post('/v1/touchpoints')
      .send([
        touchpoint('chat', { kind: 'chat', value: 'v-1' }, [], 'widget://shop/1'),
        touchpoint('chat', { kind: 'chat', value: 'v-2' }, [], 'crm://acme/eu'),
      ])
      .expect(207);
    expect(batch.body.results.map((r: { status: string }) => r.status)).toEqual([
      'accepted',
      'rejected',
    ]);
  });

  it('lists keys without secrets, rotates and revokes them', async () => {
    const created = (
      await admin
        .post('/v1/admin/adapter-keys')
        .send({ name: 'rotating', channels: ['web'], sourcePatterns: ['*'], verifiedKinds: [] })
        .expect(201)
    ).body;
    const id = created.record.id as string;
    const listed = (await admin.get('/v1/admin/adapter-keys').expect(200)).body;
    expect(JSON.stringify(listed)).not.toContain(created.key.split('.')[1]);
    expect(JSON.stringify(listed)).not.toContain('secretHash');
    const event = () => touchpoint('web', { kind: 'email', value: 'w@example.com' });
    await as({ [ADAPTER_KEY_HEADER]: created.key })
      .post('/v1/touchpoints')
      .send(event())
      .expect(202);
    const rotated = (await admin.post(`/v1/admin/adapter-keys/${id}/rotate`).expect(200)).body;
    await as({ [ADAPTER_KEY_HEADER]: created.key })
      .post('/v1/touchpoints')
      .send(event())
      .expect(401);
    await as({ [ADAPTER_KEY_HEADER]: rotated.key })
      .post('/v1/touchpoints')
      .send(event())
      .expect(202);
    await admin.delete(`/v1/admin/adapter-keys/${id}`).expect(200);
    await as({ [ADAPTER_KEY_HEADER]: rotated.key })
      .post('/v1/touchpoints')
      .send(event())
      .expect(401);
    await admin.post(`/v1/admin/adapter-keys/${id}/rotate`).expect(404);
    await admin
      .post('/v1/admin/adapter-keys')
      .send({ name: 'x', channels: ['fax'], sourcePatterns: [], verifiedKinds: ['dna'] })
      .expect(400);
  });

  it('records staff ids from the token, never the body', async () => {
    const alice = as({
      authorization: `Bearer ${await issuer.token({ subject: 'alice', roles: ['supervisor'] })}`,
    });
    const a = platformCustomerIdFor({ kind: 'email', value: 'sam@example.com' });
    const b = platformCustomerIdFor({ kind: 'email', value: 'sam@work.example' });
    await http
      .post('/v1/touchpoints')
      .send(touchpoint('email', { kind: 'email', value: 'sam@example.com' }))
      .expect(202);
    await http
      .post('/v1/touchpoints')
      .send(touchpoint('email', { kind: 'email', value: 'sam@work.example' }))
      .expect(202);
    await untilPasses(async () => {
      await http.get(`/v1/customers/${b}`).expect(200);
    });
    const merged = (
      await alice
        .post(`/v1/customers/${a}/merge`)
        .send({ customerId: b, staffId: 'mallory' })
        .expect(202)
    ).body;
    expect(merged.events[0].data.by).toEqual({ kind: 'staff', staffId: 'alice' });
  });

  it('keeps an audit trail of a scripted staff session, exactly as performed', async () => {
    const bob = as({
      authorization: `Bearer ${await issuer.token({ subject: 'bob', roles: ['agent'] })}`,
    });
    const id = platformCustomerIdFor({ kind: 'email', value: 'audit@example.com' });
    await http
      .post('/v1/touchpoints')
      .send(touchpoint('email', { kind: 'email', value: 'audit@example.com' }))
      .expect(202);
    await untilPasses(async () => {
      await http.get(`/v1/customers/${id}`).expect(200);
    });
    await bob.get(`/v1/customers/${id}/timeline`).expect(200);
    await bob.get(`/v1/customers/${id}`).expect(200);
    await bob
      .get(`/v1/customers/${id}/closeness`)
      .expect((res) => expect([200, 404]).toContain(res.status));
    await bob
      .get(`/v1/customers?identity=${encodeURIComponent('email:audit@example.com')}`)
      .expect(200);
    await bob.post(`/v1/customers/${id}/merge`).send({ customerId: id }).expect(403);
    await untilPasses(async () => {
      const trail = (await admin.get(`/v1/audit?customerId=${id}`).expect(200)).body as {
        actor: string;
        action: string;
        status: number;
        customerId: string;
        roles: string[];
      }[];
      const bobs = trail.filter((entry) => entry.actor === 'bob').reverse();
      expect(bobs.map((e) => `${e.action} ${e.status}`)).toEqual([
        'GET /v1/customers/:id/timeline 200',
        'GET /v1/customers/:id 200',
        expect.stringMatching(/^GET \/v1\/customers\/:id\/closeness (200|404)$/),
        'GET /v1/customers 200',
        'POST /v1/customers/:id/merge 403', // beyond the role: refused, and recorded
      ]);
      expect(bobs.every((e) => e.customerId === id && e.roles.join() === 'agent')).toBe(true);
    });
    // Agents cannot read the trail; nothing about identities is in it.
    await bob.get('/v1/audit').expect(403);
    const all = JSON.stringify((await admin.get('/v1/audit?limit=1000').expect(200)).body);
    expect(all).not.toContain('audit@example.com');
  });
});

describe('audit under another spelling', () => {
  it('files a read by a capitalised customer id under the customer it read', async () => {
    const { app, http, issuer, as } = await embeddedHttpApp();
    try {
      const id = platformCustomerIdFor({ kind: 'email', value: 'caps@example.com' });
      await http
        .post('/v1/touchpoints')
        .send(touchpoint('email', { kind: 'email', value: 'caps@example.com' }))
        .expect(202);
      await untilPasses(async () => {
        await http.get(`/v1/customers/${id}`).expect(200);
      });
      const eve = as({
        authorization: `Bearer ${await issuer.token({ subject: 'eve', roles: ['agent'] })}`,
      });
      await eve.get(`/v1/customers/${id.toUpperCase()}/timeline`).expect(200);
      const admin = as({
        authorization: `Bearer ${await issuer.token({ subject: 'root', roles: ['admin'] })}`,
      });
      await untilPasses(async () => {
        for (const asked of [id, id.toUpperCase()]) {
          const trail = (await admin.get(`/v1/audit?customerId=${asked}`).expect(200)).body as {
            actor: string;
          }[];
          expect(trail.map((e) => e.actor)).toContain('eve');
        }
      });
    } finally {
      await app.close();
    }
  });
});

describe('rate limits (embedded)', () => {
  it('answers 429 past the limit per principal, others unaffected', async () => {
    const { app, issuer, as } = await embeddedHttpApp({ rateLimitPerMinute: 5 });
    try {
      const carl = as({
        authorization: `Bearer ${await issuer.token({ subject: 'carl', roles: ['agent'] })}`,
      });
      const dina = as({
        authorization: `Bearer ${await issuer.token({ subject: 'dina', roles: ['agent'] })}`,
      });
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await carl.get('/v1/ideas')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const limited = await carl.get('/v1/ideas').expect(429);
      expect(limited.headers['content-type']).toContain('application/problem+json');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      await dina.get('/v1/ideas').expect(200);
      const admin = as({
        authorization: `Bearer ${await issuer.token({ subject: 'auditor', roles: ['admin'] })}`,
      });
      await untilPasses(async () => {
        const trail = (await admin.get('/v1/audit?limit=100').expect(200)).body as {
          actor: string;
          status: number;
        }[];
        const carls = trail.filter((e) => e.actor === 'carl').map((e) => e.status);
        expect(carls.filter((status) => status === 429)).toHaveLength(1); // the first of the burst
      });
    } finally {
      await app.close();
    }
  });
});
