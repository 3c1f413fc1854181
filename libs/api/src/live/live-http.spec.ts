import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { platformCustomerIdFor, untilPasses as passes } from '@rapport/testing';
import { createHttpApp } from '../http/create-http-app';
import {
  type AuthedHttp,
  authorizedHttp,
  specConfig,
  specIssuer,
} from '../http/embedded-http-app.spec-helper';
import { AllInOneModule } from '../platform/all-in-one.module';

/** Retries `check` until it passes (or the time is up) and answers what it returned. */
async function until<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  let value: T | undefined;
  await passes(async () => {
    value = await check();
  }, timeoutMs);
  return value as T;
}

interface SseEvent {
  event: string;
  data: unknown;
}

/** An SSE stream read with fetch, as the console reads it (the token in a header). */
async function openStream(url: string, token: string) {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  const events: SseEvent[] = [];
  let ended = false;
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event) events.push({ event, data: data ? JSON.parse(data) : null });
            else if (block.startsWith(':')) events.push({ event: 'comment', data: block });
          }
        }
      } catch {
        // aborted
      }
      ended = true;
    })();
  }
  return {
    res,
    events,
    ended: () => ended,
    close: () => controller.abort(),
    next: (event: string, after = 0) =>
      until(async () => {
        const found = events.slice(after).find((e) => e.event === event);
        expect(found).toBeDefined();
        return found as SseEvent;
      }, 3000),
  };
}

describe('live customer pages over HTTP (embedded): Server-Sent Events and presence', () => {
  let app: INestApplication;
  let http: AuthedHttp;
  let base: string;
  let agentToken: string;
  let otherToken: string;
  const ann = platformCustomerIdFor({ kind: 'email', value: 'ann@live.example' });
  let seq = 0;
  const touchpoint = () => ({
    specversion: '1.0',
    id: `live-${++seq}`,
    source: 'tests/live',
    type: 'touchpoint.recorded.v1',
    time: new Date().toISOString(),
    data: {
      channel: 'chat',
      direction: 'inbound',
      identity: { kind: 'email', value: 'ann@live.example' },
      content: { text: `message ${seq}` },
    },
  });

  beforeAll(async () => {
    process.env.RAPPORT_LIVE_STREAMS_PER_USER = '2';
    process.env.RAPPORT_LIVE_HEARTBEAT_MS = '200';
    const dir = mkdtempSync(join(tmpdir(), 'rapport-live-'));
    const config = await specConfig({}, { eventStoreUrl: `sqlite:${join(dir, 'log.db')}` });
    app = await createHttpApp(AllInOneModule.forRoot(config), config);
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    http = await authorizedHttp(app);
    const issuer = await specIssuer();
    agentToken = await issuer.token({ subject: 'agent-ann', roles: ['agent'], name: 'Ann Agent' });
    otherToken = await issuer.token({ subject: 'agent-bob', roles: ['agent'] });
    await http.post('/v1/touchpoints').send(touchpoint()).expect(202);
    await until(() => http.get(`/v1/customers/${ann}`).expect(200));
  });
  afterAll(async () => {
    delete process.env.RAPPORT_LIVE_STREAMS_PER_USER;
    delete process.env.RAPPORT_LIVE_HEARTBEAT_MS;
    await app?.close();
  });

  it('tells an open page that its customer changed, within moments of the append', async () => {
    const stream = await openStream(`${base}/v1/customers/${ann}/live`, agentToken);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const ready = await stream.next('ready');
    expect(ready.data).toMatchObject({ customerId: ann });
    const before = stream.events.length;
    const started = Date.now();
    const accepted = await http.post('/v1/touchpoints').send(touchpoint()).expect(202);
    // The change that covers this append (a change of an earlier batch, such as the first
    // touchpoint's identity link, may come first).
    const covering = await until(async () => {
      const found = stream.events
        .slice(before)
        .find(
          (e) =>
            e.event === 'changed' &&
            (e.data as { position: number }).position >= (accepted.body.position ?? 0),
        );
      expect(found).toBeDefined();
      return found;
    }, 3000);
    expect(covering).toBeDefined();
    // Within moments: a generous bound, not the console's 1 s target (measured in its test).
    expect(Date.now() - started).toBeLessThan(3000);
    // A note is a change of the page too.
    const beforeNote = stream.events.length;
    await http.post(`/v1/customers/${ann}/notes`).send({ text: 'Live note' }).expect(201);
    await stream.next('changed', beforeNote);
    // Heartbeats keep it open.
    await stream.next('comment');
    stream.close();
  });

  it('shows who else has the customer open, by name, and when they leave', async () => {
    const mine = await openStream(`${base}/v1/customers/${ann}/live`, agentToken);
    await until(async () => {
      const last = mine.events.filter((e) => e.event === 'presence').pop();
      expect((last?.data as { viewers: unknown[] }).viewers).toEqual([
        { staffId: 'agent-ann', name: 'Ann Agent' },
      ]);
    });
    const theirs = await openStream(`${base}/v1/customers/${ann}/live`, otherToken);
    await until(async () => {
      const last = mine.events.filter((e) => e.event === 'presence').pop();
      expect((last?.data as { viewers: { name: string }[] }).viewers.map((v) => v.name)).toEqual([
        'agent-bob',
        'Ann Agent',
      ]);
    });
    theirs.close();
    await until(async () => {
      const last = mine.events.filter((e) => e.event === 'presence').pop();
      expect((last?.data as { viewers: unknown[] }).viewers).toHaveLength(1);
    });
    mine.close();
  });

  it('refuses a stream past the per-user bound, an unknown customer and a bad id, without a stream', async () => {
    const a = await openStream(`${base}/v1/customers/${ann}/live`, otherToken);
    const b = await openStream(`${base}/v1/customers/${ann}/live`, otherToken);
    await a.next('ready');
    await b.next('ready');
    const c = await fetch(`${base}/v1/customers/${ann}/live`, {
      headers: { authorization: `Bearer ${otherToken}`, accept: 'text/event-stream' },
    });
    expect(c.status).toBe(429);
    expect(c.headers.get('content-type')).toMatch(/problem\+json/);
    a.close();
    await until(async () => {
      const d = await openStream(`${base}/v1/customers/${ann}/live`, otherToken);
      expect(d.res.status).toBe(200);
      d.close();
    });
    b.close();
    // Another user (the bound is per user; the closed streams may still be leaving).
    const thirdToken = await (await specIssuer()).token({ subject: 'agent-cy', roles: ['agent'] });
    const plain = await fetch(`${base}/v1/customers/${ann}/live`, {
      headers: { authorization: `Bearer ${thirdToken}` },
    });
    expect(plain.status).toBe(406);
    const unknown = await fetch(`${base}/v1/customers/3f1c2a9e-0000-4000-8000-000000000000/live`, {
      headers: { authorization: `Bearer ${thirdToken}`, accept: 'text/event-stream' },
    });
    expect(unknown.status).toBe(404);
    const bad = await fetch(`${base}/v1/customers/%ED%A0%80/live`, {
      headers: { authorization: `Bearer ${thirdToken}`, accept: 'text/event-stream' },
    });
    expect(bad.status).toBe(400);
    const anonymous = await fetch(`${base}/v1/customers/${ann}/live`);
    expect(anonymous.status).toBe(401);
  });

  it('ends the stream when the token expires', async () => {
    const issuer = await specIssuer();
    const shortLived = await issuer.token({
      subject: 'agent-short',
      roles: ['agent'],
      expiresIn: 2,
    });
    const stream = await openStream(`${base}/v1/customers/${ann}/live`, shortLived);
    await stream.next('ready');
    const bye = await until(async () => {
      const found = stream.events.find((e) => e.event === 'bye');
      expect(found).toBeDefined();
      return found;
    }, 40_000);
    expect(bye?.data).toEqual({ reason: 'expired' });
  }, 60_000);

  it('ends every stream when the service shuts down (and the shutdown does not wait for them)', async () => {
    const stream = await openStream(`${base}/v1/customers/${ann}/live`, agentToken);
    await stream.next('ready');
    const started = Date.now();
    const closing = app;
    app = undefined as unknown as INestApplication;
    await closing.close();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(stream.events.find((e) => e.event === 'bye')?.data).toEqual({ reason: 'shutdown' });
    await until(async () => expect(stream.ended()).toBe(true));
  });
});
