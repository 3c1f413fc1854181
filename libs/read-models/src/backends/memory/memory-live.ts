import {
  deliver,
  type LiveChange,
  type LiveChanges,
  type LiveListener,
} from '../../live/live-changes';
import {
  distinctViewers,
  type PresenceStore,
  type PresenceViewer,
} from '../../live/presence-store';

/** Live changes within one process (`rapport dev`): projection and API share the emitter. */
export function memoryLiveChanges(): LiveChanges {
  const listeners = new Set<LiveListener>();
  return {
    async publish(change: LiveChange) {
      // Later, like a message from Redis: a listener never runs inside the projection's batch.
      setImmediate(() => deliver(listeners, change));
    },
    async subscribe(listener: LiveListener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
  };
}

/** Presence in this process's memory. */
export function memoryPresenceStore(): PresenceStore {
  const sessions = new Map<string, Map<string, { viewer: PresenceViewer; expiresAtMs: number }>>();
  return {
    async touch(customerId, sessionId, viewer, expiresAtMs) {
      let ofCustomer = sessions.get(customerId);
      if (!ofCustomer) sessions.set(customerId, (ofCustomer = new Map()));
      ofCustomer.set(sessionId, { viewer, expiresAtMs });
    },
    async leave(customerId, sessionId) {
      const ofCustomer = sessions.get(customerId);
      ofCustomer?.delete(sessionId);
      if (ofCustomer?.size === 0) sessions.delete(customerId);
    },
    async viewers(customerId, nowMs) {
      const ofCustomer = sessions.get(customerId);
      if (!ofCustomer) return [];
      for (const [id, session] of ofCustomer)
        if (session.expiresAtMs <= nowMs) ofCustomer.delete(id);
      if (ofCustomer.size === 0) sessions.delete(customerId);
      return distinctViewers([...ofCustomer.values()].map((s) => s.viewer));
    },
  };
}
