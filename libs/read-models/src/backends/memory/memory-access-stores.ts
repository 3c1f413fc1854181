import { type AccessStores } from '../../access/access-stores';
import { type AdapterKeyRecord } from '../../access/adapter-key-store';
import { type AuditEntry } from '../../access/audit-trail';

/** Access state in this process (the embedded default: one process, nothing to share). */
export function memoryAccessStores(): AccessStores {
  const keys = new Map<string, AdapterKeyRecord>();
  const revoked = new Map<string, string>();
  const withRevocation = (record: AdapterKeyRecord): AdapterKeyRecord => {
    const { revokedAt: _ignored, ...rest } = record;
    const at = revoked.get(record.id);
    return at ? { ...rest, revokedAt: at } : rest;
  };
  let entries: { entry: AuditEntry; expiresAt: number }[] = [];
  const windows = new Map<string, { hits: number; endsAt: number }>();
  return {
    adapterKeys: {
      async put(record) {
        keys.set(record.id, record);
      },
      async get(id) {
        const record = keys.get(id);
        return record && withRevocation(record);
      },
      async list() {
        return [...keys.values()]
          .map(withRevocation)
          .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      },
      async revoke(id, at) {
        if (!revoked.has(id)) revoked.set(id, at);
      },
    },
    audit: {
      async record(entry, retentionMs) {
        entries.push({ entry, expiresAt: Date.parse(entry.at) + retentionMs });
      },
      async recordAll(all, retentionMs) {
        for (const entry of all)
          entries.push({ entry, expiresAt: Date.parse(entry.at) + retentionMs });
      },
      async query({ customerId, limit }, now) {
        entries = entries.filter(({ expiresAt }) => expiresAt > now.getTime());
        return entries
          .map(({ entry }) => entry)
          .filter((entry) => customerId === undefined || entry.customerId === customerId)
          .reverse()
          .slice(0, limit);
      },
    },
    rateLimits: {
      async hit(key, windowMs, hits = 1) {
        const now = Date.now();
        let window = windows.get(key);
        if (!window || window.endsAt <= now) {
          if (windows.size > 10_000) {
            for (const [k, w] of windows) if (w.endsAt <= now) windows.delete(k);
          }
          window = { hits: 0, endsAt: now + windowMs };
          windows.set(key, window);
        }
        window.hits += hits;
        return { hits: window.hits, resetInMs: window.endsAt - now };
      },
    },
  };
}
