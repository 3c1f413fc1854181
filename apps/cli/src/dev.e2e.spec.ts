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

describe('npm start (rapport dev) as a process', () => {
  jest.setTimeout(120000);

  it('stores touchpoints from two channels on one timeline, newest first, and keeps them across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rapport-dev-'));
    let platform = await startPlatform(dataDir);
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
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify(event),
      });
      expect(res.status).toBe(202);
    }
    const lookup = await json(
      `${platform.url}/v1/customers?identity=email:maria.rossi@example.com`,
    );
    const customerId: string = lookup.body.customerId;
    const timelineUrl = () => `${platform.url}/v1/customers/${customerId}/timeline`;
    const before = await eventually(
      () => json(timelineUrl()),
      (r) => r.body.items?.length === 2,
    );
    expect(before.body.items.map((e: { channel: string }) => e.channel)).toEqual(['chat', 'email']);

    await platform.stop();
    platform = await startPlatform(dataDir);
    try {
      const after = await json(timelineUrl());
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
    const lookupUrl = /curl -s '(\S+)'/.exec(hint ?? '')?.[1];
    expect(lookupUrl).toBeDefined();
    const { body } = await json(lookupUrl as string);
    const timeline = await json(
      `${platform.url}/v1/customers/${body.customerId}/timeline?limit=500`,
    );
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
