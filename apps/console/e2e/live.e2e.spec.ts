import { join } from 'node:path';
import { TouchpointPublisher, type TouchpointInput } from '@rapport/adapter-sdk';
import { platformCustomerIdFor } from '@rapport/testing';
import { type Browser, type Page } from 'playwright-core';
import {
  expectAccessible,
  launchChromium,
  screenshotsFolder,
  signIn as signInAt,
} from './chromium';
import {
  describeInChromiumOnRealPlatform,
  type RealPlatform,
  startRealPlatform,
} from './real-platform';

/**
 * The live customer page in Chromium against the three services as separate processes —
 * ingestor, projector and query API — with Kafka, Redis and PostgreSQL, the development
 * OpenID provider, and a reverse proxy in front (commands to the ingestor, the rest to the
 * query API, one origin: the production shape of docs/console.md). An agent opens a customer,
 * a touchpoint is published through Kafka with the adapter SDK and must appear on the page
 * live (the time from publish to on screen is printed), a supervisor opening the same customer
 * shows as present, a note and a label are added, and a list is filtered by the label. axe-core
 * scans the changed pages.
 */
const SHOTS = screenshotsFolder();
/** The target for a live touchpoint on screen, from its publish: printed, judged by the reader. */
const LIVE_TARGET_MS = 1000;
/**
 * What the test holds the median to: the page has no polling, so anything on screen came
 * through the stream; the bound catches a stream that stopped pushing (a page that only
 * catches up on a reconnect) without failing CI on a busy machine (targets are not tests).
 */
const LIVE_BOUND_MS = 5000;

describeInChromiumOnRealPlatform('the live console against the three services', (urls) => {
  jest.setTimeout(240_000);
  const run = `e2elive${Date.now().toString(36)}`;
  const ann = { kind: 'email', value: `ann.${run}@example.com` } as const;
  const ben = { kind: 'email', value: `ben.${run}@example.com` } as const;
  const annId = platformCustomerIdFor(ann);
  let platform: RealPlatform;
  let origin: string;
  let browser: Browser;
  let publisher: TouchpointPublisher;
  let n = 0;

  const publish = (identity: { kind: 'email'; value: string }, text: string) =>
    publisher.publish({
      id: `${run}-${++n}`,
      time: new Date().toISOString(),
      data: { channel: 'chat', direction: 'inbound', identity, content: { text } },
    } as TouchpointInput);

  beforeAll(async () => {
    [platform, browser] = await Promise.all([startRealPlatform(urls, run), launchChromium()]);
    origin = platform.origin;
    publisher = new TouchpointPublisher({
      kafkaUrl: urls.kafka,
      topicPrefix: platform.topicPrefix,
      clientId: `${run}-adapter`,
      source: 'e2e/live-console',
    });
    await publisher.connect();
    await publish(ann, 'Hello, where is my parcel?');
    await publish(ben, 'Just saying hi');
  });

  afterAll(async () => {
    await browser?.close();
    await publisher?.disconnect();
    await platform?.stop();
  });

  const signIn = (user: string) => signInAt(browser, origin, user, { width: 1366, height: 900 });

  /** Opens the customer page once the projector has the customer. */
  async function openCustomer(page: Page): Promise<void> {
    for (let i = 0; i < 100; i++) {
      await page.goto(`${origin}/customers/${annId}`);
      const ready = await page
        .getByTestId('timeline-entry')
        .first()
        .waitFor({ timeout: 2000 })
        .then(() => true)
        .catch(() => false);
      if (ready) break;
    }
    await page.getByTestId('presence').getByText('Live', { exact: true }).waitFor();
  }

  it('an agent sees touchpoints arrive live, a colleague present, a note and a label', async () => {
    const agent = await signIn('agent');
    await openCustomer(agent);

    // Presence: a supervisor opens the same customer; the agent sees them.
    const supervisor = await signIn('supervisor');
    await openCustomer(supervisor);
    await agent.getByTestId('presence').getByTestId('viewer').getByText('supervisor').waitFor();
    await supervisor.getByTestId('presence').getByTestId('viewer').getByText('agent').waitFor();

    // Live: published through Kafka, on screen — measured from the publish.
    const timings: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const text = `Live message ${i} of ${run}`;
      const started = Date.now();
      await publish(ann, text);
      await agent.getByText(text).waitFor({ timeout: 15_000 });
      timings.push(Date.now() - started);
      await agent.waitForTimeout(300);
    }
    const sorted = [...timings].sort((a, b) => a - b);
    console.log(
      `live touchpoint, publish (Kafka) → on screen through ingestor, PostgreSQL log, projector, Redis pub/sub, query API SSE: ${timings.join(', ')} ms (median ${sorted[2]} ms, best ${sorted[0]} ms, target ≤ ${LIVE_TARGET_MS} ms)`,
    );
    expect(sorted[2]).toBeLessThanOrEqual(LIVE_BOUND_MS);

    // A note: on the agent's timeline, and live on the supervisor's.
    await agent
      .getByLabel('Note for the team (never sent to the customer)')
      .fill('Promised a call back on Monday about the parcel.');
    await agent.getByRole('button', { name: 'Add note' }).click();
    await agent.getByTestId('timeline-note').getByText('Promised a call back').waitFor();
    await supervisor.getByTestId('timeline-note').getByText('Promised a call back').waitFor();
    await expect(agent.getByTestId('timeline-note').first().textContent()).resolves.toContain(
      'Internal note',
    );

    // A label, then the closest list filtered by it: Ann, not Ben.
    await agent.getByLabel('Add a label').fill('VIP');
    await agent.getByRole('button', { name: 'Add label' }).click();
    await agent.getByTestId('labels').getByRole('link', { name: 'vip' }).waitFor();
    await expectAccessible(agent, 'customer page, live');
    await agent.evaluate('window.scrollTo(0, 0)');
    await agent.screenshot({ path: join(SHOTS, 'customer-live.png'), fullPage: false });

    await agent
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Closest' })
      .click();
    await agent.getByRole('heading', { name: 'Closest customers' }).waitFor();
    await agent.getByLabel('Only with the label').fill('vip');
    await agent.getByRole('button', { name: 'Filter' }).click();
    const rows = agent.locator('table tbody tr');
    await rows.filter({ hasText: annId }).waitFor();
    await expect(rows.count()).resolves.toBe(1);
    await expectAccessible(agent, 'closest, filtered by label');

    await agent.goto(`${origin}/labels/vip`);
    await agent.locator('table tbody tr').filter({ hasText: annId }).waitFor();
    await expectAccessible(agent, 'customers by label');
    await agent.screenshot({ path: join(SHOTS, 'labels.png'), fullPage: false });

    // The supervisor leaves: the agent's page says so.
    await supervisor.context().close();
    await agent.goto(`${origin}/customers/${annId}`);
    await agent.getByText('nobody else has this customer open').waitFor({ timeout: 15_000 });
  });
});
