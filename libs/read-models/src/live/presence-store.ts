/** A member of staff who has a customer open: their id and the name staff know them by. */
export interface PresenceViewer {
  readonly staffId: string;
  readonly name: string;
}

/**
 * Who has a customer open right now. Each open page (a session) touches its entry before it
 * expires; a closed page leaves, a dead one lapses. Redis (shared by the replicas) or memory;
 * both pass `contract/presence-store-contract.ts`. Time is passed in.
 */
export interface PresenceStore {
  touch(
    customerId: string,
    sessionId: string,
    viewer: PresenceViewer,
    expiresAtMs: number,
  ): Promise<void>;
  leave(customerId: string, sessionId: string): Promise<void>;
  /** The viewers whose sessions have not expired at `nowMs`: one per staff id, by name. */
  viewers(customerId: string, nowMs: number): Promise<PresenceViewer[]>;
}

/** One entry per staff member (their latest name), sorted by name then id. */
export function distinctViewers(viewers: Iterable<PresenceViewer>): PresenceViewer[] {
  const byId = new Map<string, PresenceViewer>();
  for (const viewer of viewers) byId.set(viewer.staffId, viewer);
  return [...byId.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.staffId.localeCompare(b.staffId),
  );
}
