import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  eventually,
  httpJson,
  REPO_ROOT,
  type RunningProcess,
  startProcess,
} from '@rapport/testing';

/** Starts `rapport dev` as its own process, the way `npm start` does. */
function startPlatform(dataDir: string, ...args: string[]): Promise<RunningProcess> {
  return startProcess({
    args: [join(REPO_ROOT, 'bin/rapport'), 'dev', '--port', '0', '--data-dir', dataDir, ...args],
    env: { RAPPORT_EVENT_STORE: '', RAPPORT_PORT: '' },
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
const json = (url: string, init?: RequestInit) => httpJson<any>(url, init);

/** What the banner tells a newcomer: the adapter key, and a token from the development issuer. */
async function credentials(platform: RunningProcess, role = 'agent') {
  const banner = await eventually(
    async () => platform.output.join('\n'),
    (text) => text.includes('adapter key:') && text.includes(`client demo-${role}`),
  );
  const adapterKey = /adapter key: (rk_\S+)/.exec(banner)?.[1] as string;
  const issuer = /sign-in: +(\S+)/.exec(banner)?.[1] as string;
  const secret = new RegExp(`client demo-${role}, secret (\\S+)`).exec(banner)?.[1] as string;
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`demo-${role}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: 'urn:rapport:api' }),
  });
  expect(res.status).toBe(200);
  const token = ((await res.json()) as { access_token: string }).access_token;
  return { adapterKey, staff: { authorization: `Bearer ${token}` } };
}

describe('npm start (rapport dev) as a process', () => {
  jest.setTimeout(120000);

  it('stores touchpoints from two channels on one timeline, newest first, and keeps them across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rapport-dev-'));
    let platform = await startPlatform(dataDir);
    let { adapterKey, staff } = await credentials(platform);
    const identity = { kind: 'email', value: 'Maria.Rossi@example.com' };
    const events = [
      { channel: 'email', time: '2026-03-01T09:00:00Z', id: 'mail-1' },
      { channel: 'chat', time: '2026-03-02T15:30:00Z', id: 'chat-7' },
    ].map((e) => ({
      specversion: '1.0',
      id: e.id,
      source: `adapters/${e.channel}`,
      type: 'touchpoint.recorded.v1',
      time: e.time,
      data: {
        channel: e.channel,
        direction: 'inbound',
        identity,
        content: { text: `hello via ${e.channel}` },
      },
    }));
    for (const event of events) {
      const res = await json(`${platform.url}/v1/touchpoints`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json', 'x-api-key': adapterKey },
        body: JSON.stringify(event),
      });
      expect(res.status).toBe(202);
    }
    expect(
      (await json(`${platform.url}/v1/customers?identity=email:maria.rossi@example.com`)).status,
    ).toBe(401);
    const lookup = await json(
      `${platform.url}/v1/customers?identity=email:maria.rossi@example.com`,
      { headers: staff },
    );
    const customerId: string = lookup.body.customerId;
    const timelineUrl = () => `${platform.url}/v1/customers/${customerId}/timeline`;
    const before = await eventually(
      () => json(timelineUrl(), { headers: staff }),
      (r) => r.body.items?.length === 2,
    );
    expect(before.body.items.map((e: { channel: string }) => e.channel)).toEqual(['chat', 'email']);

    await platform.stop();
    platform = await startPlatform(dataDir);
    try {
      ({ adapterKey, staff } = await credentials(platform));
      const after = await json(timelineUrl(), { headers: staff });
      expect(after.body.items).toEqual(before.body.items);
    } finally {
      await platform.stop();
    }
  });

  it('--demo seeds hundreds of customers across channels once, and not again on restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rapport-demo-'));
    let platform = await startPlatform(dataDir, '--demo');
    const health = await json(`${platform.url}/health`);
    expect(health.body.log.head).toBeGreaterThan(2000);
    expect(health.body.projections[0].lag).toBe(0);
    const hint = platform.output.find((l) => l.includes('find a customer'));
    const lookupUrl = /curl -s .* '(\S+)'/.exec(hint ?? '')?.[1];
    expect(lookupUrl).toBeDefined();
    const { staff } = await credentials(platform);
    const { body } = await json(lookupUrl as string, { headers: staff });
    const timeline = await json(
      `${platform.url}/v1/customers/${body.customerId}/timeline?limit=500`,
      { headers: staff },
    );
    // The OpenAPI document is served under npm start too.
    expect(
      (await json(`${platform.url}/docs/openapi.json`)).body.components.securitySchemes,
    ).toHaveProperty('staff');
    expect(timeline.body.items.length).toBeGreaterThan(3);
    await platform.stop();

    platform = await startPlatform(dataDir, '--demo');
    try {
      expect(platform.output.join('\n')).toContain('not seeding again');
      expect((await json(`${platform.url}/health`)).body.log.head).toBe(health.body.log.head);
    } finally {
      await platform.stop();
    }
  });
});
