import {
  type Context,
  createContextKey,
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';

/**
 * Sampling a trace's root before its span is started. Under `parentbased_traceidratio` the
 * SDK decides a root from the trace id it has just made: for 99 in 100 touchpoints at 0.01 it
 * makes two ids, a context and a non-recording span, and runs the sampler, for nothing (about
 * 1 µs a touchpoint, docs/decisions/0033). A draw at the same ratio decides the same with one
 * `Math.random()`: a trace id is random, so whether it falls under the sampler's bound is a
 * draw at that ratio. `startTracing` turns the draw on for that sampler only, and makes its root
 * sampler sample what was drawn (`drawnForSampling`), so a drawn root is sampled once, not at
 * the ratio squared. Roots started without a draw (an HTTP request's) go to the ratio sampler.
 */
let rootRatio: number | undefined;

const DRAWN = createContextKey('rapport: root span drawn for sampling');
/** What stands for a root not drawn: non-recording, not sampled, no ids (as a suppressed span). */
const NOT_DRAWN_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
const NOT_DRAWN_ROOT = trace.setSpan(ROOT_CONTEXT, NOT_DRAWN_SPAN);

/** Draws roots at `ratio` from now on (`startTracing`); `undefined` stops drawing. */
export function drawRootsAt(ratio: number | undefined): void {
  rootRatio = ratio;
}

/**
 * The context to start a span in that would be a trace's root (`parent` holds no span): when
 * this process draws roots, either `parent` marked for the sampler to sample, or, drawn out,
 * a context holding a non-recording span, which `unsampledChildOf` then gives back instead of
 * a span started (so nothing is made). `parent` itself otherwise.
 */
export function drawRoot(parent: Context): Context {
  if (rootRatio === undefined || trace.getSpan(parent)) return parent;
  if (Math.random() < rootRatio) return parent.setValue(DRAWN, true);
  return parent === ROOT_CONTEXT ? NOT_DRAWN_ROOT : trace.setSpan(parent, NOT_DRAWN_SPAN);
}

/** Whether a root span is started in a context `drawRoot` drew for sampling. */
export function drawnForSampling(context: Context): boolean {
  return context.getValue(DRAWN) === true;
}
