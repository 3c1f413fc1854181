/** One thing a member of staff did or read. */
export interface AuditEntry {
  /** When, ISO 8601. */
  readonly at: string;
  /** The staff id (token subject) or adapter key id. */
  readonly actor: string;
  readonly roles: readonly string[];
  /** What: `timeline.read`, `customer.merge`, … */
  readonly action: string;
  /** Which customer, when the action concerns one. */
  readonly customerId?: string;
  /** The HTTP answer's status. */
  readonly status: number;
}

export interface AuditQuery {
  readonly customerId?: string;
  /** Newest first; at most this many. */
  readonly limit: number;
}

/**
 * The audit trail: kept beside the read models, not in the event log, since reads would
 * otherwise outgrow the touchpoints; entries older than the retention are dropped.
 */
export interface AuditTrail {
  record(entry: AuditEntry, retentionMs: number): Promise<void>;
  /** Records several entries at once (one round trip where the backend is remote). */
  recordAll(entries: readonly AuditEntry[], retentionMs: number): Promise<void>;
  query(query: AuditQuery, now: Date): Promise<AuditEntry[]>;
}
