import { type PublisherScope } from '@rapport/domain';

/** One adapter key as stored: never the secret, only its hash. */
export interface AdapterKeyRecord {
  /** Public part of the key (`rk_<id>.<secret>`), also its name in listings and the audit trail. */
  readonly id: string;
  /** What the adapter is (`zendesk-eu`), for people. */
  readonly name: string;
  /** SHA-256 of the secret, hex. */
  readonly secretHash: string;
  readonly scope: PublisherScope;
  readonly createdAt: string;
  readonly rotatedAt?: string;
  readonly revokedAt?: string;
}

/** Where adapter keys live, shared by every replica (a revocation is seen by all within seconds). */
export interface AdapterKeyStore {
  /** Writes the record; its `revokedAt` is ignored (revocation is `revoke`'s alone). */
  put(record: AdapterKeyRecord): Promise<void>;
  /** The record, with `revokedAt` once revoked. */
  get(id: string): Promise<AdapterKeyRecord | undefined>;
  list(): Promise<AdapterKeyRecord[]>;
  /**
   * Marks the key revoked, for good: kept apart from the record, so that no concurrent `put`
   * (a rotation) can write it back alive. The first revocation's time stays.
   */
  revoke(id: string, at: string): Promise<void>;
}
