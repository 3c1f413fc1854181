import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { drawRootsAt } from '@rapport/wire';
import { drawnRootSampling } from './drawn-root-sampler';

/** Tracing in this process: on (with its exporters) or off. */
export interface Tracing {
  readonly enabled: boolean;
  /** The exporters spans go to (`otlp`, `console`); none when off. */
  readonly exporters: readonly string[];
  /** Exports what is buffered and stops; resolves within the exporter's timeout. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, exporters: [], shutdown: async () => undefined };
const EXPORTERS = ['otlp', 'console', 'none'] as const;
type ExporterName = (typeof EXPORTERS)[number];

let active: Tracing = OFF;

/** Whether this process traces (`startTracing` found it asked for). */
export function tracingEnabled(): boolean {
  return active.enabled;
}

/** The tracing `startTracing` set up, or off. */
export function currentTracing(): Tracing {
  return active;
}

/**
 * The exporters the standard variables ask for. Rapport traces only when asked:
 * `OTEL_TRACES_EXPORTER=otlp` (or `console`, or both, comma-separated); unset or `none`, or
 * `OTEL_SDK_DISABLED=true`, is off. Anything else is refused at start, as a typo would
 * otherwise silently turn tracing off.
 */
export function tracesExportersFrom(env: NodeJS.ProcessEnv): ExporterName[] {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return [];
  const names = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  for (const name of names)
    if (!(EXPORTERS as readonly string[]).includes(name))
      throw new Error(`OTEL_TRACES_EXPORTER: ${name} is not one of ${EXPORTERS.join(', ')}`);
  return names.includes('none') ? [] : [...new Set(names as ExporterName[])];
}

/**
 * Starts OpenTelemetry tracing for a service when the `OTEL_*` variables ask for it, and
 * registers it as the process's tracer provider (with the W3C propagator and an
 * AsyncLocalStorage context manager). Off, nothing is registered: every span in the code
 * is the API's no-op. The OTLP exporter reads its own variables
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `…_TRACES_ENDPOINT`, `…_HEADERS`, `…_TIMEOUT`), the
 * sampler `OTEL_TRACES_SAMPLER` and `…_ARG` (parent-based, always on by default), the batch
 * processor `OTEL_BSP_*`; `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` name the
 * service (`rapport-<service>` by default).
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  if (active.enabled) return active;
  const names = tracesExportersFrom(env);
  if (names.length === 0) return OFF;
  const exporters: SpanExporter[] = names.map((name) =>
    name === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter(),
  );
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: `rapport-${service}` }))
    .merge(detectResources({ detectors: [envDetector] }));
  // At a ratio, roots are drawn before their spans are made (drawn-roots.ts).
  const drawn = drawnRootSampling(env);
  const provider = new NodeTracerProvider({
    resource,
    ...(drawn ? { sampler: drawn.sampler } : {}),
    spanProcessors: exporters.map((exporter) => new BatchSpanProcessor(exporter)),
  });
  provider.register();
  drawRootsAt(drawn?.ratio);
  let stopped: Promise<void> | undefined;
  active = {
    enabled: true,
    exporters: names,
    shutdown: () =>
      (stopped ??= provider.shutdown().finally(() => {
        drawRootsAt(undefined);
        trace.disable();
        active = OFF;
      })),
  };
  return active;
}
