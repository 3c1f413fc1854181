import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { eventually, REPO_ROOT } from '@rapport/testing';
import { type Browser, type Page } from 'playwright-core';
import {
  expectAccessible,
  launchChromium,
  screenshotsFolder,
  signIn as signInAt,
} from './chromium';
import { seedDemoThroughTheIngestor } from './demo-through-the-ingestor';
import {
  describeInChromiumOnRealPlatform,
  type RealPlatform,
  startRealPlatform,
} from './real-platform';

/**
 * The staff console in a real browser — Debian's Chromium driven by playwright-core (nothing
 * downloads a browser) — against the platform in its production shape: the ingestor, the
 * projector and the query API as separate processes on Kafka, Redis and PostgreSQL, the
 * development OpenID provider, and a reverse proxy in front (`real-platform.ts`). The demo of
 * `rapport dev --demo` is seeded through the ingestor's HTTP API with an adapter key an admin
 * created, and its ideas moved along by a supervisor (`demo-through-the-ingestor.ts`). Signs
 * in through the provider's real login page as an agent, a supervisor, a data user and an
 * admin, finds a demo customer, reads the timeline, checks what each role may click, and scans
 * every page with axe-core. Screenshots go to a temporary folder, or to docs/console with
 * RAPPORT_SCREENSHOTS=docs (the README's). Under CI=true a missing Chromium or service fails.
 */
const SHOTS = screenshotsFolder();
/** The target for the customer page of a customer with 20,000 touchpoints: printed. */
const BUSY_PAGE_TARGET_MS = 1000;
/**
 * What the test holds that page to: a bound that catches a page reading the whole history
 * (seconds) without failing CI on a busy machine (targets are not tests).
 */
const BUSY_PAGE_BOUND_MS = 3000;

describeInChromiumOnRealPlatform(
  'the staff console in Chromium against the three services',
  (urls) => {
    jest.setTimeout(180_000);
    const run = `e2econsole${Date.now().toString(36)}`;
    let platform: RealPlatform;
    let origin: string;
    let browser: Browser | undefined;
    let demoEmail: string;
    let suggestionEmail: string;
    let adapterKey: string;

    beforeAll(async () => {
      const launching = launchChromium().then((launched) => (browser = launched));
      platform = await startRealPlatform(urls, run);
      origin = platform.origin;
      console.log(
        `platform: ingestor, projector, query API, issuer and proxy up in ${(platform.startupMs / 1000).toFixed(1)} s`,
      );
      ({ demoEmail, suggestionEmail, adapterKey } = await seedDemoThroughTheIngestor(platform));
      await launching;
      // The query API serves the console at the root, behind the proxy.
      const root = await fetch(`${origin}/`);
      expect(root.status).toBe(200);
      expect(root.headers.get('content-type')).toContain('text/html');
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await platform?.stop();
    });

    /** A fresh browser session signed in as `user` through the provider's login and consent pages. */
    const signIn = (user: string) => signInAt(browser as Browser, origin, user);

    /** POST touchpoints to the ingestor, as an adapter does. */
    const publishTouchpoints = (key: string, body: unknown, contentType = 'application/json') =>
      fetch(`${platform.ingestor.url}/v1/touchpoints`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': contentType },
        body: JSON.stringify(body),
      });

    /** Scrolls the timeline until its beginning (older pages load by cursor); answers the entries shown. */
    async function scrollToTheEnd(page: Page): Promise<number> {
      const end = page.getByText('The beginning of the timeline');
      for (let i = 0; i < 200 && !(await end.isVisible()); i++) {
        await page.getByTestId('timeline-entry').last().scrollIntoViewIfNeeded();
        await page.waitForTimeout(50);
      }
      await end.waitFor();
      return page.getByTestId('timeline-entry').count();
    }

    const shoot = (page: Page, name: string) =>
      page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });

    it('an agent finds a demo customer by e-mail, reads the whole timeline, and sees no supervisor action', async () => {
      const page = await signIn('agent');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(nav.getByRole('link', { name: 'Operators' }).count()).resolves.toBe(0);
      await expectAccessible(page, 'find a customer');
      await shoot(page, 'find-customer');

      // The keyboard alone: the first Tab reaches "Skip to content"; Enter in the field finds.
      await page.keyboard.press('Tab');
      await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe(
        'Skip to content',
      );
      await page.getByLabel('Identity').focus();
      await page.keyboard.type(`  ${demoEmail.toUpperCase()} `);
      const started = Date.now();
      await page.keyboard.press('Enter');
      await page.getByTestId('timeline-entry').first().waitFor();
      const usableMs = Date.now() - started;
      // The identity went in a POST body: the page's address holds only the customer id.
      expect(page.url()).toMatch(/\/customers\/[0-9a-f-]{36}$/);
      expect(page.url()).not.toContain('@');
      // The header names the customer as the channels saw them, and lists their identities.
      const identities = page.getByRole('list', { name: 'Identities' });
      await expect(identities.textContent()).resolves.toContain(demoEmail.toLowerCase());
      const name = ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').trim();
      expect(name).toMatch(/^\p{L}[\p{L} .'-]+ \p{L}/u);
      expect(name).not.toContain('@');
      const customerUrl = page.url();

      // The full message of a touchpoint, opened with the keyboard (the timeline has an excerpt).
      const firstEntry = page.getByTestId('timeline-entry').first();
      await firstEntry.getByText('Full message').focus();
      await page.keyboard.press('Enter');
      const full = firstEntry.getByTestId('full-message');
      await full.waitFor();
      await expect(full.textContent()).resolves.toContain('event ');
      await expectAccessible(page, 'customer with a full message');

      // Found again by a prefix of the last name, typed in capitals without its accents.
      const lastName = name.split(' ').pop() as string;
      const typed = lastName
        .normalize('NFD')
        .replace(/\p{M}/gu, '')
        .slice(0, Math.min(4, lastName.length))
        .toUpperCase();
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Find a customer' })
        .click();
      await page.getByLabel('Identity').fill(typed);
      await page.getByRole('button', { name: 'Find' }).click();
      const byName = page.getByTestId('name-results');
      await byName.getByRole('link', { name }).first().click();
      await page.getByTestId('timeline-entry').first().waitFor();
      expect(page.url()).toBe(customerUrl);
      expect(page.url()).not.toContain(typed);

      const shown = await scrollToTheEnd(page);
      const profileTotal = Number(
        /^(\d+)/.exec((await page.locator('dt:text("Touchpoints") + dd').textContent()) ?? '')?.[1],
      );
      expect(shown).toBeGreaterThanOrEqual(profileTotal);

      // A filter the API applies: inbound only.
      await page.getByLabel('Direction').selectOption('inbound');
      await page.getByRole('button', { name: 'Apply' }).click();
      const byDirection = async () => ({
        inbound: await page.locator('[data-testid=timeline-entry].inbound').count(),
        outbound: await page.locator('[data-testid=timeline-entry].outbound').count(),
      });
      const filtered = await eventually(byDirection, (n) => n.inbound > 0 && n.outbound === 0);
      expect(filtered.outbound).toBe(0);
      expect(filtered.inbound).toBeGreaterThan(0);

      // What a supervisor may do is not offered to an agent.
      await expect(
        page.getByLabel('Merge another customer (id) into this one').count(),
      ).resolves.toBe(0);
      await expect(page.getByRole('button', { name: 'Unmerge' }).count()).resolves.toBe(0);
      // Why close: the top contributor, shown on the timeline (its day, the touchpoint marked).
      await page
        .getByRole('region', { name: 'Closeness' })
        .getByRole('button', { name: /^show/ })
        .first()
        .click();
      await page.locator('[data-testid=timeline-entry][aria-current=true]').waitFor();
      expect(await page.getByTestId('timeline-entry').count()).toBeLessThan(profileTotal);
      await page.getByRole('button', { name: 'Clear' }).click();
      await page
        .getByTestId('timeline-entry')
        .nth(profileTotal - 1)
        .waitFor();
      await page.mouse.wheel(0, -100000);
      await expectAccessible(page, 'customer');
      await shoot(page, 'customer');

      // The queue of open merge suggestions: an agent reads it, and may not dismiss.
      await nav.getByRole('link', { name: 'Merge suggestions' }).click();
      const queue = page.getByTestId('merge-suggestions');
      await queue.getByRole('row').nth(1).waitFor();
      await expect(page.getByRole('button', { name: /^Dismiss/ }).count()).resolves.toBe(0);
      await expectAccessible(page, 'merge suggestions (agent)');
      await queue.getByRole('row').nth(1).getByRole('link').first().click();
      await page
        .getByRole('region', { name: 'Identity' })
        .getByText('looks like')
        .first()
        .waitFor();
      await expect(page.getByRole('button', { name: /^Dismiss/ }).count()).resolves.toBe(0);
      await expect(page.getByRole('button', { name: 'Merge', exact: true }).count()).resolves.toBe(
        0,
      );

      for (const [link, heading, shot] of [
        ['Closest', 'Closest customers', 'closest'],
        ['At risk', 'At-risk customers', 'at-risk'],
        ['Ideas', 'Ideas', 'ideas'],
      ] as const) {
        await nav.getByRole('link', { name: link }).click();
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        await page.getByRole('table').or(page.locator('.board')).first().waitFor();
        await expectAccessible(page, heading);
        await shoot(page, shot);
      }
      // The board: a column per status, and no triage for an agent.
      await page.getByRole('heading', { level: 2, name: /^shipped/ }).waitFor();
      await expect(page.getByText('Change status').count()).resolves.toBe(0);
      await page.getByRole('link', { name: 'A refill option for the starter kit' }).click();
      await page.getByRole('heading', { level: 2, name: 'Supporters' }).waitFor();
      await expect(page.getByRole('heading', { level: 2, name: 'Triage' }).count()).resolves.toBe(
        0,
      );
      await expect(page.getByRole('link', { name: /^customer / }).count()).resolves.toBeGreaterThan(
        5,
      );
      await expectAccessible(page, 'idea');
      await shoot(page, 'idea');

      await nav.getByRole('link', { name: 'Closest' }).click();
      await page.getByRole('row').nth(1).waitFor();
      await expect(page.getByRole('row').count()).resolves.toBeGreaterThan(10);
      // The closest customer has a long history: several pages of 30, scrolled to the end.
      await page.getByRole('row').nth(1).getByRole('link').click();
      await page.getByTestId('timeline-entry').first().waitFor();
      const longest = await scrollToTheEnd(page);
      expect(longest).toBeGreaterThan(30);

      // Time travel: an e-mail arrives; as of a moment before it, the timeline is as it was.
      const before = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
      const email = (
        (await page
          .getByRole('list', { name: 'Identities' })
          .getByRole('listitem')
          .first()
          .textContent()) ?? ''
      )
        .replace(/^email\s*/, '')
        .trim();
      const published = await publishTouchpoints(
        adapterKey,
        {
          specversion: '1.0',
          id: 'console-test-late-mail',
          source: 'console-test/email',
          type: 'touchpoint.recorded.v1',
          time: new Date().toISOString(),
          data: {
            channel: 'email',
            direction: 'inbound',
            identity: { kind: 'email', value: email },
            content: { subject: 'One more thing', text: 'A brand-new message.' },
          },
        },
        'application/cloudevents+json',
      );
      expect(published.status).toBe(202);
      const arrived = await eventually(
        async () => {
          await page.reload();
          await page.getByTestId('timeline-entry').first().waitFor();
          return page.getByText('A brand-new message.').count();
        },
        (n) => n > 0,
        20000,
        300,
      );
      expect(arrived).toBe(1);
      const local = new Date(before.getTime() - before.getTimezoneOffset() * 60000);
      await page.getByLabel('See this customer as of').fill(local.toISOString().slice(0, 19));
      await page.getByRole('button', { name: 'Go back in time' }).click();
      await page.getByText('Read only.').waitFor();
      expect(page.url()).toContain('asOf=');
      expect(await scrollToTheEnd(page)).toBe(longest);
      await expect(page.getByText('A brand-new message.').count()).resolves.toBe(0);
      await expectAccessible(page, 'customer as of');
      await page.getByRole('button', { name: 'Back to now' }).click();
      await page.getByText('A brand-new message.').waitFor();

      // On the customer's behalf: an idea heard on the phone.
      await page.getByLabel('New idea from this customer').fill('Gift wrapping at checkout');
      await page.getByRole('button', { name: 'Submit idea' }).click();
      await page
        .getByRole('region', { name: 'Ideas' })
        .getByRole('link', { name: 'Gift wrapping at checkout' })
        .waitFor({ timeout: 10000 });

      const js = readdirSync(join(REPO_ROOT, 'dist/apps/console/assets'))
        .filter((f) => f.endsWith('.js'))
        .reduce(
          (sum, f) =>
            sum + gzipSync(readFileSync(join(REPO_ROOT, 'dist/apps/console/assets', f))).length,
          0,
        );
      console.log(
        `console: customer page usable ${usableMs} ms after "Find" (the closest customer's ${longest} touchpoints scrolled to the end); JavaScript shipped ${(js / 1024).toFixed(0)} KB gzipped`,
      );
      expect(js).toBeLessThan(300 * 1024);
      await page.context().close();
    });

    it('a data user reads the operators page, without rebuilds, customers or administration', async () => {
      const page = await signIn('data');
      await page.getByRole('heading', { level: 1, name: 'Operators' }).waitFor();
      await page.getByRole('rowheader', { name: 'timeline' }).waitFor();
      await expect(page.getByRole('rowheader').allTextContents()).resolves.toEqual([
        'timeline',
        'closeness',
        'ideas',
        'identity-resolution',
      ]);
      // The query API does not run identity resolution (the projector does): its position is
      // the last touchpoint a decision names, and the page says the lag is an upper bound.
      const resolution = page
        .getByRole('row')
        .filter({ has: page.getByRole('rowheader', { name: 'identity-resolution' }) });
      await expect(resolution.textContent()).resolves.toContain('(its last decision)');
      await page.getByText('so its lag is at most what is shown').waitFor();
      await expect(page.getByRole('button', { name: /^Rebuild/ }).count()).resolves.toBe(0);
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(nav.getByRole('link').allTextContents()).resolves.toEqual(['Operators']);
      // A page beyond the role, typed as an address, says so (and the API would refuse anyway).
      await page.goto(`${origin}/ideas`);
      await page.getByRole('heading', { level: 1, name: 'Not for your role' }).waitFor();
      await page.context().close();
    });

    it('a supervisor accepts a merge suggestion and undoes it, and moves an idea on', async () => {
      const page = await signIn('supervisor');
      await page.getByLabel('Identity').fill(suggestionEmail);
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByTestId('timeline-entry').first().waitFor();
      const identity = page.getByRole('region', { name: 'Identity' });
      await identity.getByLabel('Merge another customer (id) into this one').waitFor();
      await identity.getByRole('button', { name: 'Merge', exact: true }).first().click();
      // The read models apply the merge within moments; the page shows it and offers the undo.
      await identity.getByRole('button', { name: 'Unmerge' }).waitFor({ timeout: 10000 });
      await expect(identity.getByText('None open.').count()).resolves.toBe(1);
      await expectAccessible(page, 'customer (supervisor)');
      await shoot(page, 'customer-supervisor');
      await identity.getByRole('button', { name: 'Unmerge' }).click();
      await identity.getByText(/^unmerged/).waitFor({ timeout: 10000 });
      await expect(identity.getByRole('button', { name: 'Unmerge' }).count()).resolves.toBe(0);

      // The queue: a supervisor dismisses the oldest open suggestion, and it is gone from it.
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Merge suggestions' }).click();
      const queue = page.getByTestId('merge-suggestions');
      await queue.getByRole('row').nth(1).waitFor();
      await expectAccessible(page, 'merge suggestions (supervisor)');
      await shoot(page, 'merge-suggestions');
      const rows = await queue.getByRole('row').count();
      const oldest = queue.getByRole('row').nth(1);
      const dismissed = (await oldest.getByRole('link').allTextContents()).join(' | ');
      await oldest.getByRole('button', { name: /^Dismiss/ }).click();
      const after = await eventually(
        async () => {
          await page.reload();
          const table = page.getByTestId('merge-suggestions');
          await table.or(page.getByText('No open suggestions.')).waitFor();
          const rowsNow = (await table.count()) ? await table.getByRole('row').count() : 1;
          const first =
            rowsNow > 1
              ? (await table.getByRole('row').nth(1).getByRole('link').allTextContents()).join(
                  ' | ',
                )
              : '';
          return { rows: rowsNow, first };
        },
        (now) => now.rows === rows - 1,
        10000,
        300,
      );
      expect(after.first).not.toBe(dismissed);

      // An idea moves on; its supporters hear of it on their timelines.
      await nav.getByRole('link', { name: 'Ideas' }).click();
      const title = 'Weekend opening hours in the city shop';
      await page.getByRole('link', { name: title }).click();
      const triage = page.getByRole('region', { name: 'Triage' });
      await triage.getByText('Change status').click();
      await triage.getByLabel('New status').selectOption('under_review');
      await triage.getByRole('button', { name: 'Change' }).click();
      await page
        .getByRole('region', { name: 'History' })
        .getByText('under review')
        .waitFor({ timeout: 10000 });
      await triage.getByLabel('Reach (people per period)').fill('400');
      await triage.getByLabel('Impact (0.25 to 3)').fill('1');
      await triage.getByLabel('Confidence (0 to 1)').fill('0.5');
      await triage.getByLabel('Effort (person-months)').fill('2');
      await triage.getByRole('button', { name: 'Save RICE' }).click();
      await page.getByText(/RICE: reach 400.*score 100\.0/).waitFor({ timeout: 10000 });
      await expectAccessible(page, 'idea (supervisor)');
      await page.getByRole('region', { name: 'Supporters' }).getByRole('link').first().click();
      const notified = await eventually(
        async () => {
          await page.reload();
          await page.getByTestId('timeline-entry').first().waitFor();
          // The submitter hears of "Your idea “…”", the other supporters of "An idea you support".
          return page
            .getByText(new RegExp(`(Your idea “${title}”|An idea you support) is under review`))
            .count();
        },
        (n) => n > 0,
        15000,
        500,
      );
      expect(notified).toBeGreaterThan(0);
      await page.context().close();
    });

    it('opens the customer page of a customer with 20,000 touchpoints (target: within a second)', async () => {
      // 5,000 conversations of four touchpoints: more than the 256 the closeness state
      // remembers (docs/closeness.md), so its fold stays linear in the history.
      const identity = { kind: 'email', value: 'busy.customer@example.com' };
      const channels = ['email', 'chat', 'phone', 'social', 'in_person'];
      const start = Date.parse('2026-01-01T00:00:00Z');
      for (let batch = 0; batch < 40; batch++) {
        const events = Array.from({ length: 500 }, (_, i) => {
          const n = batch * 500 + i;
          return {
            specversion: '1.0',
            id: `busy-${n}`,
            source: 'console-test/busy',
            type: 'touchpoint.recorded.v1',
            time: new Date(start + n * 15 * 60 * 1000).toISOString(),
            data: {
              channel: channels[n % channels.length],
              direction: n % 3 === 0 ? 'outbound' : 'inbound',
              identity,
              conversationId: `busy-conversation-${Math.floor(n / 4)}`,
              content: { text: `Message number ${n} of a very busy customer.` },
            },
          };
        });
        const res = await publishTouchpoints(adapterKey, events);
        expect(res.status).toBe(202);
      }
      // Projected: the projector's projections have caught up with the log.
      await platform.settled(120_000);

      const page = await signIn('agent');
      await page.getByLabel('Identity').fill(identity.value);
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByTestId('timeline-entry').first().waitFor();
      const customerUrl = page.url();
      // A fresh load of the page (the app's files are cached, as on a working day): usable
      // when the header and the first page of the timeline are there; the closeness panel (the
      // slowest read, computed from every touchpoint) is timed too. Best of three loads: the
      // machine is shared with the rest of the test run.
      const loads: { usable: number; closeness: number }[] = [];
      for (let i = 0; i < 3; i++) {
        await page.goto(`${origin}/`);
        const started = Date.now();
        await page.goto(customerUrl);
        await page.getByTestId('timeline-entry').first().waitFor();
        await page.getByText('20000', { exact: false }).first().waitFor();
        const usable = Date.now() - started;
        await page.locator('.score').first().filter({ hasText: /\d/ }).waitFor();
        loads.push({ usable, closeness: Date.now() - started });
      }
      const best = loads.reduce((a, b) => (b.usable < a.usable ? b : a));
      console.log(
        `console: the customer page of a customer with 20,000 touchpoints usable in ${best.usable} ms, closeness shown in ${best.closeness} ms (best of ${loads.map((l) => l.usable).join(', ')} ms; target ≤ ${BUSY_PAGE_TARGET_MS} ms)`,
      );
      expect(best.usable).toBeLessThan(BUSY_PAGE_BOUND_MS);
      await page.context().close();
    });

    it('an admin sees the operators page with rebuilds, manages adapter keys, reads the audit trail, and no customer page', async () => {
      const page = await signIn('admin');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(nav.getByRole('link', { name: 'Find a customer' }).count()).resolves.toBe(0);
      await nav.getByRole('link', { name: 'Operators' }).click();
      await page.getByRole('rowheader', { name: 'timeline' }).waitFor();
      await page.getByRole('button', { name: 'Rebuild timeline' }).waitFor();
      await expectAccessible(page, 'operators');
      await shoot(page, 'operators');

      // Adapter keys: a new key publishes within its scope; revoked, it is refused.
      await nav.getByRole('link', { name: 'Administration' }).click();
      const keys = page.getByRole('region', { name: 'Adapter keys' });
      await keys.getByRole('rowheader', { name: /dev adapters/ }).waitFor();
      await page.getByRole('region', { name: 'Audit trail' }).getByRole('row').nth(1).waitFor();
      await shoot(page, 'administration'); // before a key is shown: no key in the screenshot
      const form = page.getByRole('form', { name: 'New adapter key' });
      await form.getByLabel('Name').fill('console test gateway');
      await form.getByRole('group', { name: 'Channels' }).getByLabel('email').check();
      await form.getByLabel(/^Source patterns/).fill('console-test-gateway://*');
      await form.getByRole('button', { name: 'Create key' }).click();
      const key = (await keys.locator('.issued code').textContent()) as string;
      expect(key).toMatch(/^rk_/);
      const publish = (id: string) =>
        publishTouchpoints(
          key,
          {
            specversion: '1.0',
            id,
            source: 'console-test-gateway://eu',
            type: 'touchpoint.recorded.v1',
            time: new Date().toISOString(),
            data: {
              channel: 'email',
              direction: 'inbound',
              identity: { kind: 'email', value: 'gateway.test@example.com' },
              content: { text: 'Hello from the new gateway.' },
            },
          },
          'application/cloudevents+json',
        );
      expect((await publish('gw-1')).status).toBe(202);
      page.once('dialog', (dialog) => void dialog.accept());
      await keys.getByRole('button', { name: 'Revoke console test gateway' }).click();
      await keys.getByText(/^revoked/).waitFor();
      // Each replica caches a key it read for 5 s: refused within moments.
      const refused = await eventually(
        async () => (await publish('gw-2')).status,
        (status) => status === 401,
        10000,
        500,
      );
      expect(refused).toBe(401);
      const audit = page.getByRole('region', { name: 'Audit trail' });
      await audit.getByRole('button', { name: 'Show' }).click();
      await audit.getByText('POST /v1/admin/adapter-keys').first().waitFor();
      await expectAccessible(page, 'administration');
      await page.getByRole('button', { name: 'Sign out' }).click();
      // The provider asks to confirm the end of the session, then returns to the console.
      await page.locator('button[autofocus], button[type=submit]').first().click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await page.context().close();
    });
  },
);
