import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const root = resolve(__dirname, '../../..');

interface Running {
  url: string;
  output: string[];
  child: ChildProcess;
}

/** Starts `rapport dev` as its own process, the way `npm start` does, and waits for its URL. */
function startPlatform(dataDir: string, ...args: string[]): Promise<Running> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [join(root, 'bin/rapport'), 'dev', '--port', '0', '--data-dir', dataDir, ...args],
      {
        cwd: root,
        env: { ...process.env, RAPPORT_EVENT_STORE: '', RAPPORT_PORT: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output: string[] = [];
    const timer = setTimeout(
      () => reject(new Error(`no URL printed in time:\n${output.join('\n')}`)),
      60000,
    );
    const onLine = (line: string) => {
      output.push(line);
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ url: match[1], output, child });
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.on('exit', (code) =>
      reject(new Error(`rapport dev exited with ${code}:\n${output.join('\n')}`)),
    );
  });
}

function stop(running: Running): Promise<void> {
  return new Promise((r) => {
    running.child.removeAllListeners('exit');
    running.child.on('exit', () => r());
    running.child.kill('SIGTERM');
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}

async function eventually<T>(
  fn: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 10000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

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

    await stop(platform);
    platform = await startPlatform(dataDir);
    try {
      const after = await json(timelineUrl());
      expect(after.body.items).toEqual(before.body.items);
    } finally {
      await stop(platform);
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
    await stop(platform);

    platform = await startPlatform(dataDir, '--demo');
    try {
      expect(platform.output.join('\n')).toContain('not seeding again');
      expect((await json(`${platform.url}/health`)).body.log.head).toBe(health.body.log.head);
    } finally {
      await stop(platform);
    }
  });
});
