/** Bounds of the live streams (environment, with defaults). */
export interface LiveSettings {
  /** Open streams one member of staff may hold in one process (`RAPPORT_LIVE_STREAMS_PER_USER`). */
  readonly streamsPerUser: number;
  /** Open streams one process holds at most (`RAPPORT_LIVE_STREAMS_MAX`). */
  readonly maxStreams: number;
  /** A comment line this often keeps proxies from closing an idle stream, and renews presence. */
  readonly heartbeatMs: number;
  /** A presence entry lapses this long after its last heartbeat (a page that died). */
  readonly presenceTtlMs: number;
  /** A client that has not read this many bytes is dropped (it reconnects when it can). */
  readonly maxBufferedBytes: number;
}

function whole(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name}=${raw}: expected a whole number from ${min} to ${max}`);
  return value;
}

export function liveSettingsFromEnv(): LiveSettings {
  const heartbeatMs = whole('RAPPORT_LIVE_HEARTBEAT_MS', 15_000, 100, 60_000);
  return {
    streamsPerUser: whole('RAPPORT_LIVE_STREAMS_PER_USER', 8, 1, 100),
    maxStreams: whole('RAPPORT_LIVE_STREAMS_MAX', 2000, 1, 100_000),
    heartbeatMs,
    presenceTtlMs: heartbeatMs * 3,
    maxBufferedBytes: 256 * 1024,
  };
}
