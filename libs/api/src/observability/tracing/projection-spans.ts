import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { context, type SpanContext, trace } from '@opentelemetry/api';
import { PROJECTION_BATCH_CHANNEL, type ProjectionBatchReport } from '@rapport/read-models';
import { storedTraceContext } from '@rapport/wire';

const tracer = trace.getTracer('@rapport/projections');

/**
 * Each event's stored trace context, read once per metadata object: the projections of a
 * process share the events the log hands out unopened (and its recent reads), and each
 * applies every event.
 */
const parsed = new WeakMap<object, SpanContext | null>();

function traceOf(metadata: unknown): SpanContext | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  let spanContext = parsed.get(metadata);
  if (spanContext === undefined) {
    spanContext = storedTraceContext(metadata) ?? null;
    parsed.set(metadata, spanContext);
  }
  return spanContext ?? undefined;
}

/**
 * A span per event a projection applied that kept a trace context (`metadata.trace`): a
 * child of the event's append span, so the touchpoint's trace runs on into the read model,
 * as long as the batch took (one Redis script applies the whole batch). Made from the
 * projections' batch reports after the fact: the projections know nothing of tracing.
 * Events without a trace context (appended with tracing off, or not sampled) get none.
 * Returns the unsubscribe.
 */
export function traceProjectionBatches(): () => void {
  const listener = (message: unknown) => {
    const report = message as ProjectionBatchReport;
    if (!report.batch) return;
    const endTime = Date.now();
    const startTime = report.startedAtMs ?? endTime - report.seconds * 1000;
    for (const event of report.batch) {
      const parent = traceOf(event.metadata);
      if (!parent) continue;
      tracer
        .startSpan(
          `project ${report.projection}`,
          {
            startTime,
            attributes: {
              'rapport.projection': report.projection,
              'rapport.event.type': event.type,
              'rapport.log.position': event.position,
              'rapport.projection.batch_events': report.events,
            },
          },
          trace.setSpanContext(context.active(), parent),
        )
        .end(endTime);
    }
  };
  subscribe(PROJECTION_BATCH_CHANNEL, listener);
  return () => unsubscribe(PROJECTION_BATCH_CHANNEL, listener);
}
