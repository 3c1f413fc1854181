/**
 * `node -r @swc-node/register bench/ingest/machine-speed.ts`: how much this machine's speed
 * moves on its own. Every 2 s it does the same CPU-bound work (JSON encoding and SHA-256
 * digests) and prints the CPU milliseconds it took, with the share of time the hypervisor
 * reports as stolen and the machine's idle share (from /proc/stat). On the 2-core machines
 * these figures were taken on, the same work took 90–190 ms on an idle machine, with no steal
 * reported: the reason `bench:ingest` measures overheads in duets. BENCH_SECONDS (40) bounds it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 40);

/** CPU milliseconds of a fixed piece of work. */
function work(): number {
  const before = process.cpuUsage();
  let length = 0;
  for (let i = 0; i < 200_000; i++) length += JSON.stringify({ a: i, b: `hello${i}` }).length;
  for (let i = 0; i < 50_000; i++) createHash('sha256').update(`x${i}`).digest();
  const used = process.cpuUsage(before);
  if (length === 0) throw new Error('unreachable');
  return (used.user + used.system) / 1000;
}

/** The machine's CPU time counters (user, nice, system, idle, iowait, irq, softirq, steal). */
const counters = () =>
  readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);

let previous = counters();
const timer = setInterval(() => {
  const ms = work();
  const now = counters();
  const delta = now.map((v, i) => v - previous[i]);
  previous = now;
  const total = delta.reduce((a, b) => a + b, 0);
  console.log(
    `${new Date().toISOString().slice(11, 19)}  ${ms.toFixed(0).padStart(4)} ms CPU  steal ${((100 * delta[7]) / total).toFixed(1)} %  idle ${((100 * delta[3]) / total).toFixed(0)} %`,
  );
}, 2000);
setTimeout(() => clearInterval(timer), SECONDS * 1000);
