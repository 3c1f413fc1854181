import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Global,
  Logger,
  Module,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdapterKeys } from '@rapport/application';
import { BufferedAuditTrail, type ReadModels, SyncedRateLimitCounter } from '@rapport/read-models';
import { type RapportConfig } from '../config/rapport-config';
import { READ_MODELS } from '../platform/tokens';
import {
  ADAPTER_KEY_AUTHENTICATOR,
  AccessGuard,
  RoleGuard,
  type AdapterKeyAuthenticator,
  STAFF_TOKEN_VERIFIER,
} from './access.guard';
import { AUDIT_TRAIL, AuditRecorder } from './audit-recorder';
import {
  PRINCIPAL_RATE_LIMIT,
  type PrincipalRateLimit,
  PrincipalThrottlerGuard,
} from './principal-throttler.guard';
import { StaffTokenVerifier } from './staff-token-verifier';
import { AdapterKeysController, AuditController } from './access-admin.controller';

/** The rate limits' window: a minute (the limit is per minute). */
const RATE_WINDOW_MS = 60_000;
const RATE_LIMIT_COUNTER = Symbol('RATE_LIMIT_COUNTER');

/**
 * Access control for a service's HTTP routes: who is calling (staff token or adapter key),
 * whether the route's `@Access` policy lets them, how often (rate limits), and the audit
 * trail of what staff did. Needs `ReadModelsModule` (keys, audit and counters live there).
 */
@Global()
@Module({})
export class AccessModule {
  static forRoot(config: RapportConfig): DynamicModule {
    return {
      module: AccessModule,
      providers: [
        {
          provide: PRINCIPAL_RATE_LIMIT,
          useFactory: (counter: SyncedRateLimitCounter): PrincipalRateLimit => ({
            counter,
            limit: config.rateLimitPerMinute,
            windowMs: RATE_WINDOW_MS,
          }),
          inject: [RATE_LIMIT_COUNTER],
        },
        {
          provide: STAFF_TOKEN_VERIFIER,
          useFactory: () => (config.oidc ? new StaffTokenVerifier(config.oidc) : null),
        },
        {
          provide: AdapterKeys,
          useFactory: (readModels: ReadModels) => new AdapterKeys(readModels.access.adapterKeys),
          inject: [READ_MODELS],
        },
        {
          provide: ADAPTER_KEY_AUTHENTICATOR,
          useFactory: (keys: AdapterKeys): AdapterKeyAuthenticator => ({
            async authenticate(presented) {
              const record = await keys.authenticate(presented);
              return record && { kind: 'adapter', keyId: record.id, scope: record.scope };
            },
          }),
          inject: [AdapterKeys],
        },
        // Neither costs a round trip per request (ADR 0039): audit entries are written in
        // batches every few milliseconds, rate-limit hits far from the limit counted here and
        // synced every 100 ms.
        {
          provide: AUDIT_TRAIL,
          useFactory: (readModels: ReadModels) => {
            const logger = new Logger('audit');
            return new BufferedAuditTrail(readModels.access.audit, {
              onError: (error) =>
                logger.error(`could not write audit entries (kept, tried again): ${String(error)}`),
            });
          },
          inject: [READ_MODELS],
        },
        {
          provide: RATE_LIMIT_COUNTER,
          useFactory: (readModels: ReadModels) =>
            // Exact (a round trip per hit) from half the limit on.
            new SyncedRateLimitCounter(
              readModels.access.rateLimits,
              RATE_WINDOW_MS,
              config.rateLimitPerMinute / 2,
            ),
          inject: [READ_MODELS],
        },
        {
          // Before the read models close: what is buffered is written.
          provide: Symbol('flush the access stores'),
          useFactory: (
            audit: BufferedAuditTrail,
            counter: SyncedRateLimitCounter,
          ): BeforeApplicationShutdown => ({
            beforeApplicationShutdown: async () => {
              await Promise.all([audit.close(), counter.close()]);
            },
          }),
          inject: [AUDIT_TRAIL, RATE_LIMIT_COUNTER],
        },
        AuditRecorder,
        // In this order: who is calling, how often, may they.
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_GUARD, useClass: PrincipalThrottlerGuard },
        { provide: APP_GUARD, useClass: RoleGuard },
      ],
      exports: [AdapterKeys, AUDIT_TRAIL, STAFF_TOKEN_VERIFIER, RATE_LIMIT_COUNTER],
    };
  }
}

/** The admin routes of access control: adapter keys and the audit trail. */
@Module({ controllers: [AdapterKeysController, AuditController] })
export class AccessAdminHttpModule {}
