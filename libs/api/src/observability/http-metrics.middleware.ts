import { type NextFunction, type Request, type Response } from 'express';
import { type RapportMetrics } from './rapport-metrics';

/**
 * Counts and times every HTTP answer by method, route template (`/v1/customers/:id`, never
 * the concrete URL: no ids in labels) and status. A request no route matched (404, or a
 * body refused before routing) is labelled `route="unmatched"`.
 */
export class HttpMetricsMiddleware {
  constructor(private readonly metrics: RapportMetrics) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const end = this.metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const labels = {
        method: KNOWN_METHODS.has(req.method) ? req.method : 'OTHER',
        route: routeTemplate(req),
        status: String(res.statusCode),
      };
      end(labels);
      this.metrics.httpRequests.inc(labels);
    });
    next();
  }
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

function routeTemplate(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (!route || typeof route.path !== 'string') return 'unmatched';
  return `${req.baseUrl ?? ''}${route.path}` || '/';
}
