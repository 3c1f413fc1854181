import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { REPO_ROOT } from '@rapport/testing';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core: nothing downloads a browser. Under CI=true a
 * missing Chromium fails (`failWithoutChromiumUnderCi`); elsewhere the tests skip.
 */
export const CHROMIUM = process.env.RAPPORT_CHROMIUM || '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

// Known-good flags for headless Chromium as root on a machine without internet.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where screenshots go: docs/console with RAPPORT_SCREENSHOTS=docs (the README's), else a temporary folder. */
export function screenshotsFolder(): string {
  const folder =
    process.env.RAPPORT_SCREENSHOTS === 'docs'
      ? join(REPO_ROOT, 'docs', 'console')
      : mkdtempSync(join(tmpdir(), 'rapport-console-shots-'));
  mkdirSync(folder, { recursive: true });
  return folder;
}

/** Under CI=true, a test that fails when Chromium is missing (call at the top of a spec file). */
export function failWithoutChromiumUnderCi(title: string): void {
  if (HAS_CHROMIUM || process.env.CI !== 'true') return;
  describe(title, () => {
    it('finds Chromium', () => {
      throw new Error(
        `no Chromium at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium)`,
      );
    });
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * A fresh browser session at `origin`, signed in as `user` through the development
 * provider's real login and consent pages.
 */
export async function signIn(
  browser: Browser,
  origin: string,
  user: string,
  viewport = { width: 1366, height: 850 },
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('input[name=login]').fill(user);
  await page.locator('input[name=password]').fill('any password');
  await page.locator('button[type=submit]').click();
  await page.waitForURL(/\/interaction\//);
  await page.locator('button[type=submit]').click(); // consent: "Continue"
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  expect(page.url().startsWith(origin)).toBe(true);
  await expect(page.getByTestId('signed-in-as').textContent()).resolves.toContain(user);
  return page;
}

/** axe-core on the page as it is: no serious or critical violation of WCAG 2.1 A/AA. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${name}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  expect(serious).toEqual([]);
}
