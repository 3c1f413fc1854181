import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TouchpointIngestion } from '@rapport/application';
import { ERASURE_STREAM, isErased, UNRESTRICTED_SCOPE } from '@rapport/domain';
import { openEventStore } from '@rapport/event-store';
import { openPersonalData, type PrivacySettings, privacySettingsFrom } from '@rapport/privacy';
import { openPlatformEventStore, platformCustomerIdOf, REPO_ROOT } from '@rapport/testing';

function rapport(args: string[], cwd: string) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/rapport'), ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const touchpoint = (id: string, email: string, text: string) => ({
  specversion: '1.0',
  id,
  source: 'tests/forget',
  type: 'touchpoint.recorded.v1',
  time: '2026-05-01T10:00:00Z',
  data: {
    channel: 'email',
    direction: 'inbound',
    identity: { kind: 'email', value: email },
    content: { text },
  },
});

describe('rapport forget as a process', () => {
  jest.setTimeout(60_000);
  let dir: string;
  let store: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rapport-forget-cli-'));
    store = `sqlite:${join(dir, 'log.db')}`;
    // A log as the platform writes it: encrypted, pseudonymous (identity resolution not run).
    const personalData = await openPersonalData(
      privacySettingsFrom(process.env) as PrivacySettings,
      store,
    );
    const log = personalData.protect(await openEventStore(store));
    const ingestion = new TouchpointIngestion(log, {
      now: () => new Date('2026-05-02T00:00:00Z'),
      hashIdentity: personalData.hashIdentity,
    });
    const results = await ingestion.ingest(
      [
        touchpoint('1', 'Eve@Forget.example', 'eve-secret-phrase one'),
        touchpoint('2', 'eve@forget.example', 'eve-secret-phrase two'),
        touchpoint('3', 'finn@forget.example', 'finn keeps this'),
      ],
      UNRESTRICTED_SCOPE,
    );
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    await log.close();
    await personalData.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses bad input with a usage error, naming no identity', async () => {
    const noReason = await rapport(['forget', 'email:eve@forget.example', '--store', store], dir);
    expect([noReason.code, noReason.output]).toEqual([2, expect.stringContaining('--reason')]);
    const unknown = await rapport(
      ['forget', 'email:nobody@forget.example', '--reason', 'ticket 1', '--store', store],
      dir,
    );
    expect([unknown.code, unknown.output]).toEqual([2, expect.stringContaining('no customer')]);
    expect(unknown.output).not.toContain('nobody@');
    const malformed = await rapport(
      ['forget', 'email:not an address', '--reason', 'ticket 1', '--store', store],
      dir,
    );
    expect(malformed.code).toBe(2);
    expect(malformed.output).not.toContain('not an address');
  });

  it('forgets a person by identity: their fields read as erased, their neighbour keeps everything', async () => {
    const forgotten = await rapport(
      ['forget', 'email:EVE@forget.example', '--reason', 'GDPR ticket 7', '--store', store],
      dir,
    );
    const eveId = platformCustomerIdOf('email', 'eve@forget.example');
    expect([forgotten.code, forgotten.output]).toEqual([
      0,
      expect.stringContaining(`erased customer ${eveId}`),
    ]);
    expect(forgotten.output).not.toContain('eve@');

    const log = await openPlatformEventStore(store);
    try {
      const eve = await log.readStream(`customer-${eveId}`);
      expect(eve).toHaveLength(2);
      for (const event of eve) {
        const data = event.data as {
          content: { text: unknown };
          identity: { plainValue: unknown };
        };
        expect(isErased(data.content.text)).toBe(true);
        expect(isErased(data.identity.plainValue)).toBe(true);
      }
      const finn = await log.readStream(
        `customer-${platformCustomerIdOf('email', 'finn@forget.example')}`,
      );
      expect((finn[0].data as { content: { text: string } }).content.text).toBe('finn keeps this');
      const [erasure] = await log.readStream(ERASURE_STREAM);
      expect(erasure.type).toBe('customer.erased.v1');
      expect(JSON.stringify(erasure.data)).not.toContain('eve@');
    } finally {
      await log.close();
    }
    const raw = readdirSync(dir)
      .map((name) => readFileSync(join(dir, name)).toString('latin1'))
      .join('\n');
    expect(raw).not.toContain('eve-secret-phrase');
    expect(raw).not.toContain('eve@forget.example');

    // Again: nothing left to destroy, and it says so.
    const again = await rapport(
      ['forget', eveId, '--reason', 'GDPR ticket 7', '--store', store],
      dir,
    );
    expect([again.code, again.output]).toEqual([0, expect.stringContaining('0 data key(s)')]);
  });
});
