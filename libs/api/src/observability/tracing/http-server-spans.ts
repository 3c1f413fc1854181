import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';
import { parseTraceContext } from '@rapport/wire';
import { type NextFunction, type Request, type Response } from 'express';

const tracer = trace.getTracer('@rapport/api');
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * A server span per HTTP request, continuing the caller's `traceparent` header when it is a
 * valid W3C trace context (an invalid one is ignored: the request starts a new trace and is
 * answered as it would be otherwise). Named and labelled by the route template
 * (`POST /v1/touchpoints`, `GET /v1/customers/:id`), never the URL, which can hold ids.
 */
export function traceRequest(req: Request, res: Response, next: NextFunction): void {
  const header = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const remote = parseTraceContext(header('traceparent'), header('tracestate'));
  const parent = remote ? trace.setSpanContext(context.active(), remote) : context.active();
  const method = KNOWN_METHODS.has(req.method) ? req.method : '_OTHER';
  const span = tracer.startSpan(
    method,
    { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: method } },
    parent,
  );
  const active = trace.setSpan(parent, span);
  // The body is read from the socket's events, which run outside this request's context
  // unless the emitters are bound to it.
  context.bind(active, req);
  context.bind(active, res);
  res.once('finish', () => endRequestSpan(span, method, req, res.statusCode));
  res.once('close', () => endRequestSpan(span, method, req, res.statusCode));
  context.with(active, next);
}

function endRequestSpan(span: Span, method: string, req: Request, status: number): void {
  if (!span.isRecording()) return;
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') {
    const template = `${req.baseUrl ?? ''}${route.path}` || '/';
    span.setAttribute(ATTR_HTTP_ROUTE, template);
    span.updateName(`${method} ${template}`);
  }
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
