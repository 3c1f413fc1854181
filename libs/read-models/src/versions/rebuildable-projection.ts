import { type EventStore } from '@rapport/event-store';

/** The names of the projections that keep a read model (and so can be rebuilt), in order. */
export const REBUILDABLE_PROJECTIONS = ['timeline', 'closeness', 'ideas'] as const;

/** A rebuild in progress (or stopped, to be resumed): the version it builds and how far it is. */
export interface RebuildInProgress {
  readonly version: number;
  /** The log position the new version has applied up to. */
  readonly position: number;
  readonly startedAt: string;
  /** False when the rebuild was stopped (Ctrl-C, a crash) and waits to be resumed. */
  readonly running: boolean;
}

/** Which version of a projection's read model readers are served from, and how far it is. */
export interface ProjectionVersionState {
  readonly name: string;
  /** The live version (0: the model as first built, under the plain key prefix). */
  readonly version: number;
  /** The log position the live version has applied up to. */
  readonly checkpoint: number;
  readonly rebuild: RebuildInProgress | null;
}

export interface RebuildProgress {
  readonly phase: 'building' | 'switching' | 'dropping';
  readonly version: number;
  readonly position: number;
  readonly head: number;
}

export interface RebuildOptions {
  /** Stops the rebuild after the batch in hand: the live version stays live. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RebuildProgress) => void;
  readonly log?: (line: string) => void;
  /** Drops a stopped rebuild's half-built version and starts over, instead of resuming it. */
  readonly restart?: boolean;
  readonly batchSize?: number;
}

export interface RebuildOutcome {
  readonly name: string;
  /** `switched`: readers now use the new version; `stopped`: the old one stays live. */
  readonly status: 'switched' | 'stopped';
  readonly version: number;
  readonly previousVersion: number;
  /** Where the new version was when the rebuild ended (switched: at or past the old one). */
  readonly position: number;
  /** The position it started from: above 0 when it resumed a stopped rebuild. */
  readonly resumedFrom: number;
  readonly ms: number;
}

/** A rebuild that has started: it holds its projection's rebuild lock until `done` settles. */
export interface RebuildRun {
  readonly name: string;
  readonly version: number;
  readonly done: Promise<RebuildOutcome>;
}

/**
 * A projection whose read model can be rebuilt blue/green: a new version is built from the
 * log beside the live one, caught up with the head, then readers and the live projector
 * are switched to it in one atomic step, and the old version is dropped.
 */
export interface RebuildableProjection {
  readonly name: string;
  state(): Promise<ProjectionVersionState>;
  /**
   * Starts a rebuild; resolves once it holds the projection's rebuild lock (rejects with
   * `RebuildAlreadyRunningError` when another one does). Side-effect free: it runs only
   * the read model's projection, never a follower that sends or appends anything.
   */
  rebuild(store: EventStore, options?: RebuildOptions): Promise<RebuildRun>;
}

export class RebuildAlreadyRunningError extends Error {
  override readonly name = 'RebuildAlreadyRunningError';
  constructor(
    readonly projection: string,
    readonly holder: string | null,
  ) {
    super(
      `a rebuild of ${projection} is already running${holder ? ` (held by ${holder})` : ''}; watch it, or wait until it ends`,
    );
  }
}

export class UnknownProjectionError extends Error {
  override readonly name = 'UnknownProjectionError';
  constructor(
    readonly projection: string,
    readonly known: readonly string[],
  ) {
    super(`unknown projection ${projection}; the projections are ${known.join(', ')}`);
  }
}

/** The projection of that name, or `UnknownProjectionError` naming the known ones. */
export function projectionNamed<P extends { readonly name: string }>(
  projections: readonly P[],
  name: string,
): P {
  const found = projections.find((p) => p.name === name);
  if (!found)
    throw new UnknownProjectionError(
      name,
      projections.map((p) => p.name),
    );
  return found;
}

/**
 * Each projection's live checkpoint, leaving out those that never wrote (no projector has
 * run them, no rebuild has switched them).
 */
export async function storedCheckpoints(
  projections: readonly RebuildableProjection[],
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const projection of projections) {
    const state = await projection.state();
    if (state.checkpoint > 0 || state.version > 0) found.set(state.name, state.checkpoint);
  }
  return found;
}
