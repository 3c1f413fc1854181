import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportOutput } from './fd-output';

describe('ExportOutput (a regular file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-output-'));

  it('writes <file>.partial readable by its owner only, and renames it when complete', () => {
    const target = join(dir, 'complete.ndjson');
    const output = new ExportOutput(target);
    output.write('{"a":1}\n');
    expect(statSync(`${target}.partial`).mode & 0o777).toBe(0o600);
    expect(existsSync(target)).toBe(false);
    output.complete();
    expect(existsSync(`${target}.partial`)).toBe(false);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readFileSync(target, 'utf8')).toBe('{"a":1}\n');
  });

  it('removes the .partial file when abandoned, leaving no half export behind', () => {
    const target = join(dir, 'abandoned.ndjson');
    const output = new ExportOutput(target);
    output.write('{"secret":"half"}\n');
    output.abandon();
    expect(existsSync(`${target}.partial`)).toBe(false);
    expect(existsSync(target)).toBe(false);
  });

  it('replaces a stale .partial of an earlier run, with the owner-only mode', () => {
    const target = join(dir, 'stale.ndjson');
    writeFileSync(`${target}.partial`, 'old', { mode: 0o644 });
    const output = new ExportOutput(target);
    output.write('new');
    output.complete();
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });
});
