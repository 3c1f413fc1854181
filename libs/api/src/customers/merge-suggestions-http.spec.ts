import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { AdapterKeys } from '@rapport/application';
import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { platformCustomerIdFor, untilPasses } from '@rapport/testing';
import { ADAPTER_KEY_HEADER } from '../access/access-policy';
import { createHttpApp } from '../http/create-http-app';
import { AllInOneModule } from '../platform/all-in-one.module';
import { type AuthedHttp, authorizedHttp, specConfig } from '../http/embedded-http-app.spec-helper';

let seq = 0;
function touchpoint(identities: Record<string, unknown>[], name?: string) {
  seq += 1;
  const [identity, ...further] = identities;
  return {
    specversion: '1.0',
    id: `s-${seq}`,
    source: 'tests/suggestions',
    type: 'touchpoint.recorded.v1',
    time: new Date(Date.UTC(2026, 0, 1, 9, 0, seq)).toISOString(),
    data: {
      channel: 'chat',
      direction: 'inbound',
      identity,
      ...(further.length ? { identities: further } : {}),
      ...(name ? { name } : {}),
    },
  };
}

describe('merge suggestions: the queue and dismissing over HTTP (embedded)', () => {
  let app: INestApplication;
  let http: AuthedHttp;
  const ann = { kind: 'email', value: 'ann@example.com', verified: true } as const;
  const visitor = { kind: 'chat', value: 'v-9' } as const;
  const annId = platformCustomerIdFor({ kind: 'email', value: 'ann@example.com' });
  const visitorId = platformCustomerIdFor(visitor);

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-suggestions-'));
    const config = await specConfig({}, { eventStoreUrl: `sqlite:${join(dir, 'log.db')}` });
    app = await createHttpApp(AllInOneModule.forRoot(config), config);
    await app.init();
    http = await authorizedHttp(app);
    await http
      .post('/v1/touchpoints')
      .send(touchpoint([ann], 'Ann Smith'))
      .expect(202);
    await http
      .post('/v1/touchpoints')
      .send(touchpoint([visitor], 'Annie'))
      .expect(202);
    // A chat widget not trusted to verify e-mail: the two stay apart, with a suggestion.
    const { key } = await app
      .get(AdapterKeys)
      .create('chat widget', { ...UNRESTRICTED_SCOPE, verifiedKinds: [] }, new Date());
    await http
      .post('/v1/touchpoints')
      .set(ADAPTER_KEY_HEADER, key)
      .send(touchpoint([visitor, ann]))
      .expect(202);
  });
  afterAll(() => app.close());

  it('lists the open suggestion with both sides and their names, then dismisses it', async () => {
    type Side = { customerId: string; name?: string };
    let items: { survivor: Side; merged: Side }[] = [];
    await untilPasses(async () => {
      items = (await http.get('/v1/merge-suggestions').expect(200)).body.items;
      expect(items).toHaveLength(1);
    });
    const [item] = items;
    expect([item.survivor.customerId, item.merged.customerId].sort()).toEqual(
      [annId, visitorId].sort(),
    );
    expect(item).toMatchObject({ reason: expect.any(String), evidence: expect.any(Array) });
    const names = [item.survivor, item.merged].map((s) => s.name).sort();
    expect(names).toEqual(['Ann Smith', 'Annie']);

    const dismissed = await http
      .post(`/v1/customers/${visitorId}/merge-suggestions/dismiss`)
      .send({ customerId: annId, note: 'different people' })
      .expect(202);
    expect(dismissed.body.events).toEqual([
      expect.objectContaining({ type: 'customer.merge-suggestion-dismissed.v1' }),
    ]);
    await untilPasses(async () => {
      expect((await http.get('/v1/merge-suggestions').expect(200)).body.items).toEqual([]);
      const profile = (await http.get(`/v1/customers/${annId}`).expect(200)).body;
      expect(profile.openMergeSuggestions).toEqual([]);
    });
    // Again: nothing open any more.
    await http
      .post(`/v1/customers/${annId}/merge-suggestions/dismiss`)
      .send({ customerId: visitorId })
      .expect(409);
  });

  it('refuses unknown customers and bad input with 4xx', async () => {
    await http
      .post(`/v1/customers/${annId}/merge-suggestions/dismiss`)
      .send({ customerId: '00000000-0000-4000-8000-000000000001' })
      .expect(404);
    await http
      .post(`/v1/customers/${annId}/merge-suggestions/dismiss`)
      .send({ customerId: 'nope' })
      .expect(400);
    await http
      .post(`/v1/customers/x/merge-suggestions/dismiss`)
      .send({ customerId: annId })
      .expect(400);
    for (const limit of ['0', '201', 'x', '1.5'])
      await http.get(`/v1/merge-suggestions?limit=${limit}`).expect(400);
  });
});
