import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TouchpointPublisher, type TouchpointInput } from '@rapport/adapter-sdk';
import {
  type Channel,
  type ChannelIdentity,
  DEFAULT_IDENTITY_POLICY,
  filingIdentityOf,
  IDENTITY_GRAPH_STREAM,
  identityKey,
} from '@rapport/domain';
import {
  cleanRebuildDump,
  liveModelsAt,
  readModelDump,
  unlinkKeysStartingWith,
} from '@rapport/read-models/internals';
import {
  describeWithServices,
  eventually,
  httpJson,
  type RunningProcess,
  startService,
  platformCustomerIdFor,
  platformIdentity,
  platformIdentityKey,
  openPlatformEventStore,
  testRedis,
} from '@rapport/testing';
import { ReferenceIdentityGraph } from '@rapport/domain';
import { ensureE2eTopics, e2eTopics, removeE2eTopics } from './e2e-topics';
import { e2eAccess, trustedOnTopic } from './e2e-access';

/** Keys of the timeline read model (and the identity graph it keeps). */
const TIMELINE_KEY =
  /^\{timeline\}:(timeline:|activity:|graph:|identity$|stream-identity$|checkpoint:timeline$)/;
/** Keys of the closeness read model (its facts, rankings and its own copy of the graph). */
const CLOSENESS_KEY = /^\{closeness\}:(closeness:|checkpoint:closeness:)/;

interface Health {
  log?: { head: number };
  projections: { name: string; position: number }[];
}
interface TimelineBody {
  customerId: string;
  items: { excerpt?: string }[];
  nextCursor: string | null;
}

/**
 * One customer across every channel, end to end: touchpoints through Kafka (several
 * identities on one touchpoint, verified or not), identity resolution in the projector,
 * staff merges, unmerges and links through the ingestor's HTTP API, the Redis read models
 * read through the query API — all separate processes. At the end every timeline and
 * identity equals a naive reference (the domain's reference graph, and "a customer's
 * timeline is the touchpoints filed under its identities"), and Redis equals a clean
 * rebuild from the log key for key. And: one new identity sent to two ingestor replicas
 * at the same moment makes one customer.
 */
describeWithServices(['kafka', 'redis'], 'identity resolution end to end', (urls) => {
  jest.setTimeout(300_000);
  const run = `e2eid${Date.now().toString(36)}`;
  const topics = e2eTopics(`${run}.`);
  const prefix = `rapport:${run}:`;
  const eventStoreUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'rapport-e2e-id-')), 'log.db')}`;
  const env: Record<string, string> = {
    RAPPORT_BUS: `${urls.kafka}?topicPrefix=${topics.prefix}`,
    RAPPORT_EVENT_STORE: eventStoreUrl,
    RAPPORT_READ_MODELS: `${urls.redis}/0?prefix=${prefix}`,
  };
  let access: Awaited<ReturnType<typeof e2eAccess>>;
  const redis = testRedis(urls.redis);
  let ingestors: RunningProcess[] = [];
  let projector: RunningProcess;
  let queryApi: RunningProcess;
  let publisher: TouchpointPublisher;
  const reference = new ReferenceIdentityGraph(DEFAULT_IDENTITY_POLICY);
  /** Every touchpoint: its text, and the identity key its timeline entry is filed under. */
  const filed: { text: string; bucket: string; time: number }[] = [];
  let clock = Date.UTC(2026, 1, 1);
  let n = 0;

  beforeAll(async () => {
    await ensureE2eTopics(urls.kafka, topics);
    access = await e2eAccess(env.RAPPORT_READ_MODELS);
    Object.assign(env, access.env);
    const started = await Promise.all([
      startService('ingestor', env),
      startService('ingestor', env),
      startService('projector', env),
      startService('query-api', env),
    ]);
    ingestors = started.slice(0, 2);
    [projector, queryApi] = started.slice(2);
    publisher = new TouchpointPublisher({
      kafkaUrl: urls.kafka,
      topicPrefix: topics.prefix,
      clientId: `${run}-adapter`,
      source: 'e2e/identity',
    });
    await publisher.connect();
  });

  afterAll(async () => {
    await publisher?.disconnect();
    await Promise.all([...ingestors, projector, queryApi].map((p) => p?.stop()));
    await unlinkKeysStartingWith(redis, prefix);
    redis.disconnect();
    await removeE2eTopics(urls.kafka, topics);
  });

  const id = (kind: ChannelIdentity['kind'], value: string, verified?: boolean) =>
    ({ kind, value, ...(verified === undefined ? {} : { verified }) }) as ChannelIdentity;

  /** Everything appended so far (the log past `after`, when given) is resolved and projected into Redis. */
  async function settled(after = 0): Promise<void> {
    await eventually(
      async () => {
        const [a, b] = await Promise.all([
          httpJson<Health>(`${ingestors[0].url}/health`),
          httpJson<Health>(`${projector.url}/health`),
        ]);
        // Stable twice in a row: identity resolution may append after the projector caught up.
        await new Promise((r) => setTimeout(r, 150));
        const again = await httpJson<Health>(`${ingestors[0].url}/health`);
        // Identity resolution at the head too: a staff merge right after a touchpoint must
        // find the customers resolution decides (or it answers 404).
        const resolution = b.body.projections.find((p) => p.name === 'identity-resolution');
        return [
          a.body.log?.head,
          again.body.log?.head,
          b.body.projections[0]?.position,
          resolution?.position,
        ];
      },
      ([head, again, position, resolved]) =>
        (head ?? 0) > after && head === again && position === head && resolved === head,
      60_000,
      100,
    );
  }

  /**
   * The reference works on identities as the platform logs them (pseudonymous, with the run's
   * pepper), so its customer ids and keys are the platform's; `plainKeyOf` turns a key back
   * into what staff type and see.
   */
  const plainKeys = new Map<string, string>();
  function pseudo(identity: ChannelIdentity): ChannelIdentity {
    const pseudonymous = platformIdentity(identity);
    plainKeys.set(identityKey(pseudonymous), identityKey(identity));
    return pseudonymous;
  }
  const plainKeyOf = (key: string) => plainKeys.get(key) ?? key;

  /** Publishes one touchpoint through Kafka and feeds the reference the same. */
  async function touch(channel: Channel, identities: ChannelIdentity[]): Promise<void> {
    const text = `touchpoint ${++n}`;
    clock += 60_000;
    const [identity, ...further] = identities;
    // The touchpoint travels through Kafka: wait until the log has grown past this head,
    // or a loaded machine would find the log "settled" before the ingestor appended it.
    const before = (await httpJson<Health>(`${ingestors[0].url}/health`)).body.log?.head ?? 0;
    await publisher.publish({
      id: `${run}-${n}`,
      time: new Date(clock).toISOString(),
      data: {
        channel,
        direction: 'inbound',
        identity,
        ...(further.length ? { identities: further } : {}),
        content: { text },
      },
    } as TouchpointInput);
    await settled(before);
    // The ingestor believes a verified claim only where the channel's topic is trusted for it.
    reference.touch(identities.map((identity) => pseudo(trustedOnTopic(channel, identity))));
    filed.push({
      text,
      bucket: identityKey(filingIdentityOf(identities.map(pseudo))),
      time: clock,
    });
  }

  async function staff(path: string, body: unknown, method = 'POST'): Promise<number> {
    const res = await httpJson(`${ingestors[1].url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...access.staff },
      body: JSON.stringify(body),
    });
    await settled();
    return res.status;
  }

  it('links and merges across channels; the Redis read models equal the reference and a clean rebuild', async () => {
    // Ann: e-mail, then a chat visitor who logs in with that e-mail (chat never merges by
    // itself: a suggestion), then staff merge them.
    const annMail = id('email', 'ann@identity.example', true);
    const annChat = id('chat', 'visitor-1');
    await touch('email', [annMail]);
    await touch('chat', [annChat]);
    await touch('chat', [annChat, annMail]);
    const annId = platformCustomerIdFor({ kind: 'email', value: 'ann@identity.example' });
    const chatId = platformCustomerIdFor(annChat);
    expect(reference.merge(annId, chatId).ok).toBe(true);
    expect(await staff(`/v1/customers/${annId}/merge`, { customerId: chatId })).toBe(202);

    // Bob: verified e-mail and verified phone on separate touchpoints, then one touchpoint
    // carrying both, verified: merged automatically.
    const bobMail = id('email', 'bob@identity.example', true);
    const bobPhone = id('phone', '+4930777001', true);
    await touch('email', [bobMail]);
    await touch('phone', [bobPhone]);
    await touch('phone', [bobPhone, bobMail]);

    // Cleo: an in-person visit with a loyalty card, staff link her instagram handle; a
    // wrong merge with Bob is undone.
    const cleoCard = id('card', 'CL42');
    await touch('in_person', [cleoCard]);
    const cleoId = platformCustomerIdFor(cleoCard);
    const cleoSocial = id('social', 'cleo', undefined);
    const social = { ...cleoSocial, network: 'instagram' } as ChannelIdentity;
    expect(reference.link(pseudo(social), pseudo(cleoCard), true).ok).toBe(true);
    expect(
      await staff(`/v1/customers/${cleoId}/identities`, {
        identity: { kind: 'social', network: 'instagram', value: '@Cleo' },
      }),
    ).toBe(202);
    await touch('social', [social]);
    const bobId = reference.customerOf(identityKey(pseudo(bobMail))) as string;
    expect(reference.merge(bobId, cleoId).ok).toBe(true);
    expect(await staff(`/v1/customers/${bobId}/merge`, { customerId: cleoId })).toBe(202);
    expect(reference.unmerge(bobId, cleoId).ok).toBe(true);
    expect(await staff(`/v1/customers/${bobId}/unmerge`, { customerId: cleoId })).toBe(202);
    await touch('email', [annMail]);

    // Every customer: identities, redirects and the timeline, as the reference says.
    for (const customer of reference.customers()) {
      const root = reference.rootOf(customer);
      const keys = new Set(reference.identityKeysOf(root));
      const expected = filed
        .filter((f) => keys.has(f.bucket))
        .sort((a, b) => b.time - a.time)
        .map((f) => f.text);
      const timeline = await httpJson<TimelineBody>(
        `${queryApi.url}/v1/customers/${customer}/timeline?limit=500`,
        { headers: access.staff },
      );
      expect(timeline.body.customerId).toBe(root);
      expect(timeline.body.items.map((e) => e.excerpt)).toEqual(expected);
      const profile = await httpJson<{ identities: ChannelIdentity[]; mergeHistory: unknown[] }>(
        `${queryApi.url}/v1/customers/${customer}`,
        { headers: access.staff },
      );
      expect(profile.body.identities.map(identityKey).sort()).toEqual(
        [...keys].map(plainKeyOf).sort(),
      );
      // Scores follow merges too: a merged id answers with its survivor's closeness.
      const closeness = await httpJson<{ customerId: string }>(
        `${queryApi.url}/v1/customers/${customer}/closeness`,
        { headers: access.staff },
      );
      expect([customer, closeness.status]).toEqual([customer, expected.length > 0 ? 200 : 404]);
      if (expected.length > 0) expect(closeness.body.customerId).toBe(root);
    }
    // Only survivors are ranked: one entry per customer with touchpoints.
    const ranked = await httpJson<{ items: { customerId: string }[] }>(
      `${queryApi.url}/v1/closeness/top?limit=1000`,
      { headers: access.staff },
    );
    const withTouchpoints = new Set(
      reference
        .customers()
        .map((customer) => reference.rootOf(customer))
        .filter((root) => {
          const keys = new Set(reference.identityKeysOf(root));
          return filed.some((f) => keys.has(f.bucket));
        }),
    );
    expect(ranked.body.items.map((i) => i.customerId).sort()).toEqual([...withTouchpoints].sort());
    for (const key of reference.knownKeys()) {
      const found = await httpJson<{ customerId: string }>(
        `${queryApi.url}/v1/customers?identity=${encodeURIComponent(plainKeyOf(key))}`,
        { headers: access.staff },
      );
      expect([key, found.body.customerId]).toEqual([key, reference.customerOf(key)]);
    }

    // Redis equals a clean rebuild from the log, key for key.
    const store = await openPlatformEventStore(eventStoreUrl);
    try {
      await liveModelsAt(redis, prefix, await store.headPosition());
      const clean = await cleanRebuildDump(store, redis, prefix);
      const live = await readModelDump(redis, prefix);
      // The timeline model's keys (closeness and ideas keep models of their own here).
      const timelineModel = (dump: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(dump).filter(([key]) => TIMELINE_KEY.test(key)));
      expect(Object.keys(timelineModel(live)).length).toBeGreaterThan(15);
      expect(timelineModel(live)).toEqual(timelineModel(clean));
      const closenessModel = (dump: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(dump).filter(([key]) => CLOSENESS_KEY.test(key)));
      expect(Object.keys(closenessModel(live)).length).toBeGreaterThan(15);
      expect(closenessModel(live)).toEqual(closenessModel(clean));
    } finally {
      await store.close();
    }
  });

  it('one new identity sent to two ingestor replicas at the same moment makes one customer', async () => {
    const people = 20;
    const send = (replica: number, person: number) =>
      httpJson(`${ingestors[replica].url}/v1/touchpoints`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json', ...access.adapter },
        body: JSON.stringify({
          specversion: '1.0',
          id: `race-${person}-via-${replica}`,
          source: 'e2e/race',
          type: 'touchpoint.recorded.v1',
          time: new Date(Date.UTC(2026, 2, 1, 10, 0, person)).toISOString(),
          data: {
            channel: 'chat',
            direction: 'inbound',
            identity: { kind: 'email', value: `race-${person}@identity.example`, verified: true },
          },
        }),
      });
    const answers = await Promise.all(
      Array.from({ length: people }, (_, p) => [send(0, p), send(1, p)]).flat(),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(2 * people).fill(202));
    await settled();

    const store = await openPlatformEventStore(eventStoreUrl);
    try {
      const racers = new Set(
        Array.from({ length: people }, (_, p) =>
          platformIdentityKey({ kind: 'email', value: `race-${p}@identity.example` }),
        ),
      );
      const links = (await store.readStream(IDENTITY_GRAPH_STREAM)).filter(
        (e) =>
          e.type === 'identity.linked.v1' &&
          racers.has(identityKey((e.data as { identity: ChannelIdentity }).identity)),
      );
      expect(links).toHaveLength(people); // one customer started per identity, not two
    } finally {
      await store.close();
    }
    for (let p = 0; p < people; p++) {
      const identity = { kind: 'email', value: `race-${p}@identity.example` } as const;
      const found = await httpJson<{ customerId: string }>(
        `${queryApi.url}/v1/customers?identity=${encodeURIComponent(identityKey(identity))}`,
        { headers: access.staff },
      );
      expect(found.body.customerId).toBe(platformCustomerIdFor(identity));
      const timeline = await httpJson<TimelineBody>(
        `${queryApi.url}/v1/customers/${found.body.customerId}/timeline`,
        { headers: access.staff },
      );
      expect(timeline.body.items).toHaveLength(2);
    }
  });
});
