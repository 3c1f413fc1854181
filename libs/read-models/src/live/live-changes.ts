/**
 * What the projections tell the pages that are open: a customer's timeline or annotations
 * changed (at a log position), or who has a customer open changed. No content, only ids:
 * a page fetches what changed through the ordinary, access-checked API.
 */
export type LiveChange =
  | {
      readonly kind: 'customers';
      /** Customer ids as the events were filed (a page maps a merged id to its survivor). */
      readonly customerIds: readonly string[];
      readonly position: number;
      /** Too many to list (a catch-up batch): every open page should look. */
      readonly all?: true;
    }
  | { readonly kind: 'presence'; readonly customerId: string };

export type LiveListener = (change: LiveChange) => void;

/**
 * The live-change port: Redis pub/sub between processes (the projector publishes, every
 * query API replica hears), an in-process emitter in memory (`rapport dev`). Delivery is at
 * most once and only to listeners subscribed at the time: a page that misses one refetches on
 * its next change or reconnect. Both adapters pass `contract/live-changes-contract.ts`.
 */
export interface LiveChanges {
  publish(change: LiveChange): Promise<void>;
  /** Resolves once subscribed (changes published after that reach `listener`); returns the unsubscribe. */
  subscribe(listener: LiveListener): Promise<() => void>;
  close(): Promise<void>;
}

/** Hands a change to every listener; one that throws is skipped, never the others. */
export function deliver(listeners: Iterable<LiveListener>, change: LiveChange): void {
  for (const listener of [...listeners]) {
    try {
      listener(change);
    } catch {
      // A listener's own fault (a closed page); the others still hear.
    }
  }
}

/** The most customer ids one change lists; a batch touching more says `all`. */
export const MAX_LIVE_CUSTOMER_IDS = 1000;

/** The change a batch of events makes: the customers it files under, or `all` past the bound. */
export function liveChangeOf(
  events: readonly { readonly data: unknown; readonly metadata: unknown }[],
  position: number,
): LiveChange | null {
  const ids = new Set<string>();
  for (const event of events) {
    const meta = event.metadata as { customerId?: unknown } | null;
    if (typeof meta?.customerId === 'string') ids.add(meta.customerId);
    const data = event.data as Record<string, unknown> | null;
    for (const field of [
      'customerId',
      'survivorId',
      'mergedId',
      'fromCustomerId',
      'toCustomerId',
    ]) {
      const id = data?.[field];
      if (typeof id === 'string') ids.add(id);
    }
    if (ids.size > MAX_LIVE_CUSTOMER_IDS)
      return { kind: 'customers', customerIds: [], position, all: true };
  }
  return ids.size === 0 ? null : { kind: 'customers', customerIds: [...ids], position };
}
