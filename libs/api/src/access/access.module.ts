import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AdapterKeys } from '@rapport/application';
import { type ReadModels } from '@rapport/read-models';
import { type RapportConfig } from '../config/rapport-config';
import { READ_MODELS } from '../platform/tokens';
import {
  ADAPTER_KEY_AUTHENTICATOR,
  AccessGuard,
  RoleGuard,
  type AdapterKeyAuthenticator,
  STAFF_TOKEN_VERIFIER,
} from './access.guard';
import { AUDIT_TRAIL, AuditInterceptor, AuditRecorder } from './audit.interceptor';
import { PrincipalThrottlerGuard, SharedThrottlerStorage } from './principal-throttler.guard';
import { StaffTokenVerifier } from './staff-token-verifier';
import { AdapterKeysController, AuditController } from './access-admin.controller';

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
      imports: [
        ThrottlerModule.forRootAsync({
          inject: [READ_MODELS],
          useFactory: (readModels: ReadModels) => ({
            throttlers: [{ name: 'default', ttl: 60_000, limit: config.rateLimitPerMinute }],
            storage: new SharedThrottlerStorage(readModels.access.rateLimits),
          }),
        }),
      ],
      providers: [
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
        {
          provide: AUDIT_TRAIL,
          useFactory: (readModels: ReadModels) => readModels.access.audit,
          inject: [READ_MODELS],
        },
        AuditRecorder,
        // In this order: who is calling, how often, may they.
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_GUARD, useClass: PrincipalThrottlerGuard },
        { provide: APP_GUARD, useClass: RoleGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
      ],
      exports: [AdapterKeys, AUDIT_TRAIL, STAFF_TOKEN_VERIFIER],
    };
  }
}

/** The admin routes of access control: adapter keys and the audit trail. */
@Module({ controllers: [AdapterKeysController, AuditController] })
export class AccessAdminHttpModule {}
