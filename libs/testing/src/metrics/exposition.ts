import { execFileSync } from 'node:child_process';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One sample line of a Prometheus text exposition: `name{label="value",…} 42`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Every sample of an exposition, histogram series (`_bucket`, `_sum`, `_count`) included.
 * The families are parsed by a maintained parser too (`parse-prometheus-text-format`), which
 * throws on a malformed exposition; the samples are read here because that parser drops the
 * labels, count and sum of histograms.
 */
export function samplesOf(exposition: string): Sample[] {
  parsePrometheusTextFormat(exposition);
  const samples: Sample[] = [];
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key] = value;
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The metric family names of an exposition, by the maintained parser. */
export function familyNamesOf(exposition: string): string[] {
  return parsePrometheusTextFormat(exposition).map((family) => family.name);
}

/** The value of the one sample of `name` whose labels include `labels`; 0 when there is none. */
export function sampleValue(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  const matching = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return matching.reduce((sum, s) => sum + s.value, 0);
}

/**
 * What promtool says of prom-client's own default metrics, which are not ours to rename: it
 * exposes three gauges with a `_total` suffix (nodejs_active_handles_total, …).
 */
const PROM_CLIENT_DEFAULTS = /^nodejs_active_(handles|requests|resources)_total non-counter /;

/**
 * `promtool check metrics` on an exposition, where promtool is installed (Debian's
 * `prometheus` package has it): its complaints (naming conventions, format) but those about
 * prom-client's default metrics, or null when there is no promtool to ask.
 */
export function promtoolProblems(exposition: string): string[] | null {
  try {
    execFileSync('promtool', ['check', 'metrics'], { input: exposition, stdio: 'pipe' });
    return [];
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stdout?: Buffer; stderr?: Buffer };
    if (e.code === 'ENOENT') return null;
    return `${e.stdout ?? ''}${e.stderr ?? ''}`
      .split('\n')
      .filter((line) => line && !PROM_CLIENT_DEFAULTS.test(line));
  }
}
