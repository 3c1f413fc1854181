import { Inject, Injectable, Logger } from '@nestjs/common';
import { type AuditEntry, type AuditTrail } from '@rapport/read-models';
import { type Request, type Response } from 'express';
import { type RapportConfig } from '../config/rapport-config';
import { repliedBody } from '../http/rapport-express-adapter';
import { RAPPORT_CONFIG } from '../platform/tokens';
import { type AuthenticatedRequest } from './principal';

export const AUDIT_TRAIL = Symbol('AUDIT_TRAIL');

const CUSTOMER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Writes audit entries: who (token subject and roles), what (method and route template,
 * never the URL, which may hold an identity), which customer (from the route, or from the
 * answer of a look-up by identity), the status and when. Writing never delays or fails the
 * answer; a failed write is logged.
 */
@Injectable()
export class AuditRecorder {
  private readonly logger = new Logger('audit');

  constructor(
    @Inject(AUDIT_TRAIL) private readonly trail: AuditTrail,
    @Inject(RAPPORT_CONFIG) private readonly config: RapportConfig,
  ) {}

  /** Records a staff member's request; other callers (adapters, nobody) are not audited here. */
  record(request: Request & AuthenticatedRequest, status: number, body?: unknown): void {
    const principal = request.principal;
    if (principal?.kind !== 'staff') return;
    const customerId = customerOf(request, body);
    const entry: AuditEntry = {
      at: new Date().toISOString(),
      actor: principal.subject,
      roles: [...principal.roles].sort(),
      action: `${request.method} ${routeOf(request)}`,
      ...(customerId ? { customerId } : {}),
      status,
    };
    this.trail
      .record(entry, this.config.auditRetentionDays * 24 * 60 * 60 * 1000)
      .catch((error: unknown) =>
        this.logger.error(`could not write an audit entry: ${String(error)}`),
      );
  }
}

/**
 * Audits a staff request that got past the guards once its answer is sent (or the client
 * went away): the status it got, and the customer from the route or the handler's answer.
 * A response listener rather than an interceptor (ADR 0039); the guards audit what they
 * refuse themselves (a missing role, a rate limit).
 */
export function auditWhenAnswered(
  recorder: AuditRecorder,
  request: Request & AuthenticatedRequest,
  response: Response,
): void {
  response.once('close', () =>
    recorder.record(request, response.statusCode, repliedBody(response)),
  );
}

function routeOf(request: Request): string {
  const route = (request as { route?: { path?: unknown } }).route?.path;
  return typeof route === 'string' ? route : '(unknown route)';
}

/**
 * The customer a request concerns, lower-cased as the handlers read it (`CustomerIdPipe`), so
 * that an id sent in capitals is audited under the customer it reads: `:customerId`, `:id`
 * on customer routes only (an idea's `:id` is no customer), or the answer of a lookup.
 */
function customerOf(request: Request, body: unknown): string | undefined {
  const onCustomer = routeOf(request).startsWith('/v1/customers/:id');
  const answered = (body as { customerId?: unknown } | null | undefined)?.customerId;
  for (const candidate of [
    request.params?.customerId,
    onCustomer ? request.params?.id : undefined,
    answered,
  ]) {
    if (typeof candidate === 'string' && CUSTOMER_ID.test(candidate))
      return candidate.toLowerCase();
  }
  return undefined;
}
