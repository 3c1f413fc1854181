import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { context, trace } from '@opentelemetry/api';
import { PROJECTION_BATCH_CHANNEL, type ProjectionBatchReport } from '@rapport/read-models';
import { storedTraceContext, TRACE_METADATA_FIELD } from '@rapport/wire';

const tracer = trace.getTracer('@rapport/projections');

/**
 * A span per event a projection acted on (`ProjectionTarget.handles`) that kept a sampled
 * trace context (`metadata.trace`): a child of the event's append span, so the touchpoint's
 * trace runs on into the read model, as long as the batch took (one Redis script applies the
 * whole batch). An event a projection passes over (a touchpoint to the ideas backlog) makes
 * no span there; events without a trace context (appended with tracing off, or not sampled)
 * make none anywhere. Made from the projections' batch reports after the fact: the
 * projections know nothing of tracing (docs/decisions/0033). Returns the unsubscribe.
 */
export function traceProjectionBatches(): () => void {
  const listener = (message: unknown) => {
    const report = message as ProjectionBatchReport;
    if (!report.batch) return;
    let endTime: number | undefined;
    for (const event of report.batch) {
      // Most events kept no trace (tracing was off, or they were not sampled): one look each.
      const metadata = event.metadata as Record<string, unknown> | null | undefined;
      if (metadata?.[TRACE_METADATA_FIELD] === undefined) continue;
      if (report.handles && !report.handles(event)) continue;
      const parent = storedTraceContext(metadata);
      if (!parent) continue;
      endTime ??= Date.now();
      tracer
        .startSpan(
          `project ${report.projection}`,
          {
            startTime: report.startedAtMs ?? endTime - report.seconds * 1000,
            attributes: {
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
