import { type ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerStorage } from '@nestjs/throttler';
import { type ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { type RateLimitCounter } from '@rapport/read-models';
import { ProblemException } from '../http/problem';
import { AuditRecorder } from './audit-recorder';
import { type AuthenticatedRequest } from './principal';

/**
 * Rate limits per principal (staff subject or adapter key), counted in the read models'
 * backend so that every replica sees the same count. Open routes (liveness) are not limited.
 */
@Injectable()
export class PrincipalThrottlerGuard extends ThrottlerGuard {
  @Optional() @Inject(AuditRecorder) private readonly audit?: AuditRecorder;

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    return !context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  }

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const principal = (request as AuthenticatedRequest).principal;
    if (!principal) return 'anonymous';
    return principal.kind === 'staff' ? `staff:${principal.subject}` : `adapter:${principal.keyId}`;
  }

  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return `${name}:${tracker}`;
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: { totalHits: number; limit: number },
  ): Promise<void> {
    // The first refusal of a window is audited; the rest of the burst would only flood the trail.
    if (detail.totalHits === detail.limit + 1) {
      this.audit?.record(context.switchToHttp().getRequest(), 429);
    }
    throw new ProblemException(429, 'too many requests: slow down and retry after Retry-After');
  }
}

/** The throttler's storage on the shared counter: fixed windows of `ttl` milliseconds. */
export class SharedThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly counter: RateLimitCounter) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const { hits, resetInMs } = await this.counter.hit(key, ttl);
    const seconds = Math.ceil(resetInMs / 1000);
    return {
      totalHits: hits,
      timeToExpire: seconds,
      isBlocked: hits > limit,
      timeToBlockExpire: hits > limit ? seconds : 0,
    };
  }
}
