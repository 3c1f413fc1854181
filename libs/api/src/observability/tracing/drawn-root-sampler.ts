import { type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import {
  ParentBasedSampler,
  type Sampler,
  SamplingDecision,
  type SamplingResult,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { drawnForSampling } from '@rapport/wire';

/**
 * A root sampler that samples a root `drawRoot` drew (the draw was the sampling decision)
 * and leaves every other root to `undrawn`.
 */
export class DrawnRootSampler implements Sampler {
  constructor(private readonly undrawn: Sampler) {}

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    if (drawnForSampling(context)) return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    return this.undrawn.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `DrawnRoot{${this.undrawn.toString()}}`;
  }
}

/**
 * The ratio roots are drawn at, and the sampler that goes with the draw, when the variables
 * ask for `parentbased_traceidratio` with a valid ratio (read as the SDK reads them: the name
 * exactly, the ratio a number in [0, 1]). Anything else: none, and the SDK builds its sampler
 * from the variables itself, with its own diagnostics for a bad value.
 */
export function drawnRootSampling(
  env: NodeJS.ProcessEnv,
): { readonly ratio: number; readonly sampler: Sampler } | undefined {
  if (env.OTEL_TRACES_SAMPLER !== 'parentbased_traceidratio') return undefined;
  const arg = env.OTEL_TRACES_SAMPLER_ARG;
  const ratio = arg === undefined || arg.trim() === '' ? Number.NaN : Number(arg);
  if (!(ratio >= 0 && ratio <= 1)) return undefined;
  return {
    ratio,
    sampler: new ParentBasedSampler({
      root: new DrawnRootSampler(new TraceIdRatioBasedSampler(ratio)),
    }),
  };
}
