import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@rapport/testing';

/** Runs `bin/rapport <args>` as its own process, collecting its output (for the CLI's end-to-end tests). */
export function startCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/rapport'), ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exited };
}
