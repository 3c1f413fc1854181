import { randomUUID } from 'node:crypto';
import {
  CUSTOMER_ERASED_V1,
  type CustomerErasedV1,
  customerIdFor,
  customerOfIdentity,
  identityOf,
  customerStreamId,
  ERASURE_STREAM,
  identitiesOf,
  identityKey,
  mergeGroupOf,
  resolveCustomer,
  SUPPRESSION_LIFTED_V1,
  type SuppressionLiftedV1,
} from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import { IdentityGraphLog } from '../identity/identity-graph-log';

/** Destroys data keys: `SubjectKeyStore.destroy` (libs/privacy). */
export interface DataKeyShredder {
  destroy(subjectIds: readonly string[]): Promise<number>;
}

export interface ErasureRequest {
  /** Why (a ticket reference): kept in the log, so no personal data. */
  readonly reason: string;
  readonly requestedBy: string;
  readonly at: string;
}

export interface ErasureResult extends CustomerErasedV1 {
  /** The erasure event's log position (read models drop the person once they are past it). */
  readonly position: number;
  /** How many data keys existed and were destroyed now (0 when repeated). */
  readonly keysDestroyed: number;
}

/**
 * Forgets a person (GDPR art. 17): the customer asked for is resolved to the survivor of its
 * merges and the whole person is erased — the survivor, every customer merged into it, and
 * the first customer of each of their identities (the streams their touchpoints are in).
 * `customer.erased.v1` is appended first (so every read model drops the person and
 * ingestion suppresses their identities, even if this process dies next), then the data keys
 * are destroyed. Erasing again finishes a destroy that did not complete.
 */
export class CustomerErasure {
  private readonly graphLog: IdentityGraphLog;

  constructor(
    private readonly store: EventStore,
    private readonly keys: DataKeyShredder,
  ) {
    this.graphLog = new IdentityGraphLog(store);
  }

  /** Null when no customer has this id. */
  async erase(customerId: string, request: ErasureRequest): Promise<ErasureResult | null> {
    const graph = await this.graphLog.refresh();
    const root = resolveCustomer(graph, customerId);
    let erased: CustomerErasedV1;
    if (root !== undefined) {
      const group = mergeGroupOf(graph, root);
      const identities = identitiesOf(graph, root);
      erased = {
        customerId: root,
        erasedCustomerIds: [...new Set([...group, ...identities.map(customerIdFor)])].sort(),
        identityKeys: identities.map(identityKey).sort(),
        ...request,
      };
    } else {
      // A customer identity resolution has not placed yet: its stream says who it is.
      const [first] = await this.store.readStream(customerStreamId(customerId), { maxCount: 1 });
      const key = (first?.metadata as { identityKey?: string } | undefined)?.identityKey;
      if (!key) return null;
      erased = { customerId, erasedCustomerIds: [customerId], identityKeys: [key], ...request };
    }
    const appended = await this.store.append(ERASURE_STREAM, [
      { id: randomUUID(), type: CUSTOMER_ERASED_V1, data: erased, metadata: {} },
    ]);
    const keysDestroyed = await this.keys.destroy(erased.erasedCustomerIds);
    return { ...erased, position: appended.position, keysDestroyed };
  }

  /** New touchpoints of these (pseudonymous) identity keys are stored again. */
  async liftSuppression(identityKeys: readonly string[], request: ErasureRequest) {
    const graph = await this.graphLog.refresh();
    const customerIds = new Set<string>();
    for (const key of identityKeys) {
      const identity = identityOf(graph, key);
      if (identity) customerIds.add(customerIdFor(identity));
      const owner = customerOfIdentity(graph, key);
      if (owner) for (const id of mergeGroupOf(graph, owner)) customerIds.add(id);
    }
    const data: SuppressionLiftedV1 = {
      identityKeys: [...identityKeys].sort(),
      customerIds: [...customerIds].sort(),
      ...request,
    };
    const appended = await this.store.append(ERASURE_STREAM, [
      { id: randomUUID(), type: SUPPRESSION_LIFTED_V1, data, metadata: {} },
    ]);
    return { ...data, position: appended.position };
  }
}
