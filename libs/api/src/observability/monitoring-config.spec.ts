import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { registerProjectionGauges } from './projection-gauges';
import { RapportMetrics } from './rapport-metrics';
import { type ServiceParts } from './service-parts';

const INFRA = resolve(__dirname, '../../../../infra');
const RULES = join(INFRA, 'prometheus/rules/rapport.yml');

/** promtool (Debian's `prometheus` package; .ci/run installs it): required in CI. */
function promtool(...args: string[]): string {
  try {
    return execFileSync('promtool', args, { stdio: 'pipe', encoding: 'utf8' });
  } catch (error) {
    // Said plainly: the error execFileSync throws cannot even be passed back by Jest's worker.
    const { code, stdout, stderr } = error as { code?: string; stdout?: string; stderr?: string };
    if (code === 'ENOENT')
      throw new Error('no promtool on the PATH: .ci/run installs it (apt-get install prometheus)');
    throw new Error(`promtool ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}
const hasPromtool = (() => {
  try {
    promtool('--version');
    return true;
  } catch {
    return false;
  }
})();
const withPromtool = hasPromtool || process.env.CI === 'true' ? it : it.skip;

/** Every metric name the services register (the ones scraped at collect time too). */
function rapportMetricNames(): Set<string> {
  const metrics = new RapportMetrics();
  registerProjectionGauges(metrics, { projections: () => [] } as unknown as ServiceParts);
  const names = new Set<string>();
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
  }
  metrics.onApplicationShutdown();
  return names;
}

/** The metric names a PromQL expression refers to (identifiers followed by `{`, `[` or `)`…). */
function metricNamesIn(expr: string): string[] {
  const names = expr.match(/\b(?:rapport|process|nodejs)_[a-z0-9_]+\b/g) ?? [];
  return [...new Set(names)];
}

describe('monitoring configuration: Prometheus, alert rules, Grafana dashboard', () => {
  const known = rapportMetricNames();

  it('alerts and charts only on metrics the services expose', () => {
    const rules = readFileSync(RULES, 'utf8');
    const dashboard = JSON.parse(
      readFileSync(join(INFRA, 'grafana/dashboards/rapport.json'), 'utf8'),
    ) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
      ...[...rules.matchAll(/expr: (?:>\n)?([^\n]+(?:\n {12,}[^\n]+)*)/g)].map((m) => m[1]),
    ];
    expect(exprs.length).toBeGreaterThan(20);
    const unknown = exprs.flatMap(metricNamesIn).filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
    // The names the alerts are about are among them.
    for (const name of [
      'rapport_kafka_consumer_lag',
      'rapport_projection_lag_seconds',
      'rapport_ingest_dlq_messages_total',
      'rapport_http_requests_total',
    ])
      expect(rules).toContain(name);
  });

  withPromtool('has valid rules, firing as their unit tests say (promtool)', () => {
    expect(promtool('check', 'rules', RULES)).toMatch(/SUCCESS: 7 rules found/);
    expect(promtool('test', 'rules', join(INFRA, 'prometheus/rules/rapport.test.yml'))).toMatch(
      /SUCCESS/,
    );
  });

  withPromtool('has a valid Prometheus configuration (promtool)', () => {
    // The container paths of the secret and the rules, pointed at this checkout.
    const dir = mkdtempSync(join(tmpdir(), 'rapport-prometheus-'));
    writeFileSync(join(dir, 'token'), 'a-scrape-token-of-enough-length-0123\n');
    const config = readFileSync(join(INFRA, 'prometheus/prometheus.yml'), 'utf8')
      .replace('/run/secrets/metrics_token', join(dir, 'token'))
      .replace('/etc/prometheus/rules/*.yml', RULES);
    writeFileSync(join(dir, 'prometheus.yml'), config);
    expect(promtool('check', 'config', join(dir, 'prometheus.yml'))).toMatch(
      /is valid prometheus config file syntax/,
    );
  });
});
