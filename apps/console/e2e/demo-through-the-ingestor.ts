import { CHANNELS, IDENTITY_KINDS } from '@rapport/domain';
import { DEMO_IDEA_STATUSES, demoWorkload } from '@rapport/testing';
import { type RealPlatform } from './real-platform';

/** What the browser test needs to know of the demo it seeded. */
export interface SeededDemo {
  /** The e-mail of the demo's first touchpoint (the one `rapport dev --demo` prints). */
  readonly demoEmail: string;
  /** The e-mail of a customer with an open merge suggestion. */
  readonly suggestionEmail: string;
  /** An adapter key for every channel and source (`dev adapters`), as the banner's. */
  readonly adapterKey: string;
}

const BATCH = 500;

/**
 * The demo of `rapport dev --demo` seeded the way adapters and staff reach the platform in
 * production: an admin creates an adapter key (query API), the touchpoints go to the
 * ingestor's `POST /v1/touchpoints` in batches, the projector's idea intake turns the idea
 * touchpoints into ideas, and a supervisor moves some along the workflow (ingestor). Resolves
 * once the projector has projected all of it.
 */
export async function seedDemoThroughTheIngestor(platform: RealPlatform): Promise<SeededDemo> {
  const staff = async (role: 'admin' | 'supervisor') => ({
    authorization: `Bearer ${await platform.token(role)}`,
    'content-type': 'application/json',
  });
  const created = await fetch(`${platform.queryApi.url}/v1/admin/adapter-keys`, {
    method: 'POST',
    headers: await staff('admin'),
    body: JSON.stringify({
      name: 'dev adapters',
      channels: CHANNELS,
      sourcePatterns: ['*'],
      verifiedKinds: IDENTITY_KINDS,
    }),
  });
  if (created.status !== 201) throw new Error(`no adapter key: ${await created.text()}`);
  const adapterKey = ((await created.json()) as { key: string }).key;

  const started = Date.now();
  const demo = demoWorkload(new Date());
  for (let i = 0; i < demo.events.length; i += BATCH) {
    const res = await fetch(`${platform.ingestor.url}/v1/touchpoints`, {
      method: 'POST',
      headers: { 'x-api-key': adapterKey, 'content-type': 'application/json' },
      body: JSON.stringify(demo.events.slice(i, i + BATCH)),
    });
    if (res.status !== 202)
      throw new Error(`demo batch at ${i}: ${res.status} ${(await res.text()).slice(0, 500)}`);
  }
  const ingested = Date.now();
  // The intake has submitted every idea (and taken in its votes): a status change now does
  // not race the intake's appends to the idea.
  await platform.settled();
  const projected = Date.now();
  for (const step of DEMO_IDEA_STATUSES) {
    const ideaId = demo.ideaIds[step.idea];
    for (const to of step.to) {
      const res = await fetch(`${platform.ingestor.url}/v1/ideas/${ideaId}/status`, {
        method: 'POST',
        headers: await staff('supervisor'),
        body: JSON.stringify({
          to,
          ...(to === 'declined' && step.reason ? { reason: step.reason } : {}),
        }),
      });
      if (res.status !== 200)
        throw new Error(`idea ${ideaId} to ${to}: ${res.status} ${await res.text()}`);
    }
  }
  await platform.settled();
  console.log(
    `demo through the ingestor: ${demo.events.length} touchpoints posted in ${((ingested - started) / 1000).toFixed(1)} s, projected ${((projected - ingested) / 1000).toFixed(1)} s later; ideas moved and settled in ${((Date.now() - projected) / 1000).toFixed(1)} s`,
  );
  return {
    demoEmail: (demo.events[0].data.identity as { value: string }).value.toLowerCase(),
    suggestionEmail: demo.suggestionEmails[0],
    adapterKey,
  };
}
