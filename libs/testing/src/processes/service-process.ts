import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO_ROOT = resolve(__dirname, '../../../..');

/** A Rapport process started by a test or a benchmark. */
export interface RunningProcess {
  readonly url: string;
  readonly pid: number;
  /** Every line it printed so far (stdout and stderr). */
  readonly output: string[];
  readonly child: ChildProcess;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, and wait for the exit: no shutdown hook runs. */
  kill(): Promise<void>;
}

export interface StartOptions {
  /** Arguments after `node`, e.g. `['bin/rapport', 'dev']`. */
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** Echo the process's lines with this prefix (for benchmarks and debugging). */
  readonly echo?: string;
}

/** Processes started here and still running: they end when this process exits. */
const running = new Set<ChildProcess>();

/**
 * A test or benchmark that fails and exits would otherwise leave its services running (their
 * parent becomes init), still consuming their topics and the machine's CPU. They get SIGTERM,
 * so they shut down as they would under an orchestrator.
 */
function endWithThisProcess(child: ChildProcess): void {
  if (running.size === 0 && !process.listeners('exit').includes(stopRunning))
    process.on('exit', stopRunning);
  running.add(child);
  child.once('exit', () => running.delete(child));
}

function stopRunning(): void {
  for (const child of running) if (child.exitCode === null) child.kill('SIGTERM');
}

/** Starts a Rapport process and resolves once it prints `listening on <url>`. */
export function startProcess(options: StartOptions): Promise<RunningProcess> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...options.args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    endWithThisProcess(child);
    const output: string[] = [];
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${options.args.join(' ')} printed no URL within ${options.timeoutMs ?? 60000} ms:\n${output.join('\n')}`,
        ),
      );
    }, options.timeoutMs ?? 60000);
    let ready = false;
    const onLine = (line: string) => {
      output.push(line);
      if (options.echo) process.stderr.write(`${options.echo} ${line}\n`);
      const match = /listening on (https?:\/\/\S+)/.exec(line);
      if (match && !ready) {
        ready = true;
        clearTimeout(timer);
        const signal = (sig: NodeJS.Signals) => async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill(sig);
          await exited;
        };
        resolvePromise({
          url: match[1],
          pid: child.pid as number,
          output,
          child,
          stop: signal('SIGTERM'),
          kill: signal('SIGKILL'),
        });
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.once('exit', (code, sig) => {
      if (!ready) {
        clearTimeout(timer);
        reject(
          new Error(
            `${options.args.join(' ')} exited (${code ?? sig}) before it was ready:\n${output.join('\n')}`,
          ),
        );
      }
    });
  });
}

/** Starts one of the services (`ingestor`, `projector`, `query-api`) as its own OS process. */
export function startService(
  name: 'ingestor' | 'projector' | 'query-api',
  env: NodeJS.ProcessEnv,
  echo?: string,
): Promise<RunningProcess> {
  // RAPPORT_CPU_PROFILE_DIR=<dir> writes a V8 CPU profile of each service when it stops.
  const profile = process.env.RAPPORT_CPU_PROFILE_DIR;
  const script = join(REPO_ROOT, 'bin/rapport-service');
  return startProcess({
    args: [
      ...nodeFlagsOf(script),
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
      script,
      name,
    ],
    env: { RAPPORT_PORT: '0', ...env },
    echo,
  });
}

/**
 * The node flags an executable script's shebang gives (`#!/usr/bin/env -S node <flags>`):
 * started through `node` here (so a profiler's flags can join them), it gets the same heap.
 */
function nodeFlagsOf(script: string): string[] {
  const words = readFileSync(script, 'utf8').split('\n', 1)[0].split(/\s+/);
  return words.slice(words.indexOf('node') + 1);
}

/** Polls `fn` until `ok` holds or the time runs out; returns the last value either way. */
export async function eventually<T>(
  fn: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 10000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** GET or POST JSON. */
export async function httpJson<T = unknown>(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as T };
}
