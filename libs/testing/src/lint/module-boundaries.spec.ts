import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');

/** Lints `code` as if it were the file at `path`, with the boundary rules only (the real CLI). */
function boundaryErrors(path: string, code: string): string[] {
  const run = spawnSync(
    process.execPath,
    [
      resolve(ROOT, 'node_modules/eslint/bin/eslint.js'),
      '--config',
      'tools/eslint/boundaries-only.config.mjs',
      '--format',
      'json',
      '--stdin',
      '--stdin-filename',
      path,
    ],
    { cwd: ROOT, input: code, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } },
  );
  if (run.status !== 0 && run.status !== 1) throw new Error(`eslint failed: ${run.stderr}`);
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string; message: string }[] }[];
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries (enforced by lint)', () => {
  beforeAll(() => {
    // The rule reads Nx's project graph (the tags of every project.json).
    const graph = spawnSync(
      process.execPath,
      [resolve(ROOT, 'node_modules/nx/bin/nx.js'), 'show', 'projects'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, NX_DAEMON: 'false' },
      },
    );
    if (graph.status !== 0) throw new Error(`nx show projects failed: ${graph.stderr}`);
  }, 60_000);

  it('lets an adapter import the domain', () => {
    expect(
      boundaryErrors(
        'libs/event-store/src/probe.ts',
        "import { EventNames } from '@rapport/domain';\n",
      ),
    ).toEqual([]);
  });

  it('refuses the reverse: the domain importing an adapter', () => {
    expect(
      boundaryErrors(
        'libs/domain/src/probe.ts',
        "import { SqliteEventStore } from '@rapport/event-store';\n",
      ),
    ).toEqual([
      expect.stringMatching(
        /^@nx\/enforce-module-boundaries: A project tagged with "type:domain" can only depend on/,
      ),
    ]);
  });

  it('keeps the privacy library (node:crypto, key stores) out of the domain', () => {
    expect(
      boundaryErrors(
        'libs/domain/src/probe.ts',
        "import { BlindIndex } from '@rapport/privacy';\n",
      ),
    ).toEqual([
      expect.stringMatching(
        /^@nx\/enforce-module-boundaries: A project tagged with "type:domain" can only depend on/,
      ),
    ]);
  });

  it('refuses a library importing an app', () => {
    expect(
      boundaryErrors(
        'libs/event-store/src/probe.ts',
        "import { IngestorModule } from '../../../apps/ingestor/src/ingestor.module';\n",
      ),
    ).not.toEqual([]);
  });
});
