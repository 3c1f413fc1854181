import { type AppendOptions } from './append-transaction';

/** A JSON value as stored in the log. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** An event to append. `id` (a UUID) is the idempotency key across the whole log. */
export interface NewEvent {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: unknown;
}

/** An event as the log holds it. */
export interface RecordedEvent {
  readonly id: string;
  readonly streamId: string;
  /** 0-based, gap-free position of the event in its stream. */
  readonly revision: number;
  /** 1-based, gap-free position of the event in the whole log, in commit order. */
  readonly position: number;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  /** When the log committed the event (UTC, ISO 8601). */
  readonly recordedAt: string;
}

/**
 * What the writer believes about the stream: `any` (no check), `no_stream` (it must
 * not exist yet), `stream_exists`, or the exact revision of its last event.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendedEvent {
  readonly id: string;
  readonly revision: number;
  readonly position: number;
  /** True when the event was already in the log (an idempotent re-append). */
  readonly duplicate: boolean;
}

export interface AppendResult {
  readonly streamId: string;
  /** The revision of the stream's last event after the append. */
  readonly nextExpectedRevision: number;
  /** The log position of the last event of the append. */
  readonly position: number;
  readonly events: readonly AppendedEvent[];
}

export interface AppendRequest {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expectedRevision: ExpectedRevision;
}

/** One append of `appendMany`: its result or the typed error that refused it. */
export type AppendOutcome =
  | { readonly ok: true; readonly result: AppendResult }
  | { readonly ok: false; readonly error: Error };

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive starting revision; defaults to the first (forwards) or last (backwards). */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events with a position strictly greater than this (a checkpoint); default 0. */
  readonly after?: number;
  readonly maxCount?: number;
}

export interface SubscribeOptions {
  /** The checkpoint: deliver events with a position strictly greater than this; default 0. */
  readonly after?: number;
  /** The largest batch handed to `onEvents`. */
  readonly batchSize?: number;
  /**
   * The events whose personal fields (texts, identities' plain values) the reader uses;
   * absent: all of them. A store that decrypts those fields on read
   * (`withPersonalDataProtection`) hands the others out as stored, unopened.
   */
  readonly personalDataOf?: (event: RecordedEvent) => boolean;
}

export interface SubscriptionHandler {
  /** Called with consecutive batches in log order; the next batch waits for its promise. */
  onEvents(events: readonly RecordedEvent[]): Promise<void> | void;
  /** Called each time the subscription has delivered everything up to the current head. */
  onCaughtUp?(position: number): void;
}

export interface Subscription {
  /** Stops after the batch in flight; resolves when the subscription has stopped. */
  stop(): Promise<void>;
  /** Settles when the subscription ends: resolves on `stop()`, rejects when a handler or a read fails. */
  readonly finished: Promise<void>;
}

/**
 * The event log port. Every adapter (SQLite, PostgreSQL, EventStoreDB) passes the same
 * contract suite: `libs/event-store/src/contract/event-store-contract.ts`.
 */
export interface EventStore {
  /**
   * Whether positions count the log's events, 1, 2, 3, … with no gaps, so that every number
   * from 1 to the head is an event's position (SQLite, PostgreSQL: the default when left
   * out). `false` for EventStoreDB, whose positions are commit positions in `$all`:
   * increasing and unique, with gaps, and a read can only start at 0 or at a position the
   * store returned.
   */
  readonly positionsAreCounters?: boolean;
  /** Appends atomically; idempotent on event ids. Throws the typed errors of `errors.ts`. */
  append(
    streamId: string,
    events: readonly NewEvent[],
    expectedRevision?: ExpectedRevision,
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /** Several appends with one durability barrier where the store allows; each succeeds or fails on its own. */
  appendMany(requests: readonly AppendRequest[], options?: AppendOptions): Promise<AppendOutcome[]>;
  /** Events of one stream; an empty list for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events of the whole log in position order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Position of the last event in the log (0 for an empty log). */
  headPosition(): Promise<number>;
  /** Catch-up subscription: replays from the checkpoint, then follows live appends. */
  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription;
  close(): Promise<void>;
}
