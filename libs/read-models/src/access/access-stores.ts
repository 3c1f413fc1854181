import { type AdapterKeyStore } from './adapter-key-store';
import { type AuditTrail } from './audit-trail';
import { type RateLimitCounter } from './rate-limit-counter';

/** The state access control shares across replicas, kept by the read models' backend. */
export interface AccessStores {
  readonly adapterKeys: AdapterKeyStore;
  readonly audit: AuditTrail;
  readonly rateLimits: RateLimitCounter;
}
