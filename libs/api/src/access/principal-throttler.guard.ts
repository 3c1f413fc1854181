import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Optional,
} from '@nestjs/common';
import { type RateLimitCounter } from '@rapport/read-models';
import { type Response } from 'express';
import { ProblemException } from '../http/problem';
import { AuditRecorder } from './audit-recorder';
import { type AuthenticatedRequest } from './principal';

/** The rate limit every principal gets: `limit` requests per fixed window of `windowMs`. */
export interface PrincipalRateLimit {
  readonly counter: RateLimitCounter;
  readonly limit: number;
  readonly windowMs: number;
}

export const PRINCIPAL_RATE_LIMIT = Symbol('PRINCIPAL_RATE_LIMIT');

/**
 * Rate limits per principal (staff subject or adapter key), counted in the read models'
 * backend so that every replica sees the same count. Open routes (liveness) are not limited.
 *
 * What `@nestjs/throttler`'s guard did for one named throttler with no per-route settings,
 * without its per-request work (seven metadata look-ups and as many awaits, ADR 0045): the
 * same counter keys (`default:staff:<subject>`, `default:adapter:<key id>`), the same
 * `X-RateLimit-*` headers, `Retry-After` on a 429.
 */
@Injectable()
export class PrincipalThrottlerGuard implements CanActivate {
  constructor(
    @Inject(PRINCIPAL_RATE_LIMIT) private readonly rate: PrincipalRateLimit,
    @Optional() @Inject(AuditRecorder) private readonly audit?: AuditRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const principal = request.principal;
    if (!principal) return true;
    const key =
      principal.kind === 'staff'
        ? `default:staff:${principal.subject}`
        : `default:adapter:${principal.keyId}`;
    const { limit, windowMs } = this.rate;
    const { hits, resetInMs } = await this.rate.counter.hit(key, windowMs);
    const seconds = Math.ceil(resetInMs / 1000);
    const response = http.getResponse<Response>();
    if (hits > limit) {
      response.setHeader('Retry-After', seconds);
      // The first refusal of a window is audited; the rest of the burst would only flood the trail.
      if (hits === limit + 1) this.audit?.record(http.getRequest(), 429);
      throw new ProblemException(429, 'too many requests: slow down and retry after Retry-After');
    }
    response.setHeader('X-RateLimit-Limit', limit);
    response.setHeader('X-RateLimit-Remaining', Math.max(0, limit - hits));
    response.setHeader('X-RateLimit-Reset', seconds);
    return true;
  }
}
