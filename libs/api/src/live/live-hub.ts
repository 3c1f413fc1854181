import { randomUUID } from 'node:crypto';
import { type ServerResponse } from 'node:http';
import { type BeforeApplicationShutdown, Logger } from '@nestjs/common';
import {
  type LiveChange,
  type PresenceViewer,
  type ReadModels,
  type TimelineReadModel,
} from '@rapport/read-models';
import { type StaffPrincipal } from '../access/principal';
import { customerGroupOf } from '../annotations/annotation-lookups';
import { type LiveSettings } from './live-settings';

/** One open page: the customer it shows and the ids its timeline is made of. */
interface LiveStream {
  readonly id: string;
  readonly customerId: string;
  /** The customer and every id merged into it: a change filed under any of them is theirs. */
  watched: Set<string>;
  readonly viewer: PresenceViewer;
  readonly res: ServerResponse;
  readonly timers: NodeJS.Timeout[];
  closed: boolean;
}

/** Why a stream cannot be opened now. */
export class LiveStreamRefused extends Error {
  constructor(
    readonly status: 429 | 503,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The query API's live streams (Server-Sent Events). It hears the projections' changes once
 * per process (`ReadModels.live`) and tells each open page whose customer changed —
 * `event: changed` with the log position; the page then fetches the new entries through the
 * ordinary API — and who else has the customer open (`event: presence`). Bounded: streams
 * per user and per process, a heartbeat, a slow reader dropped, a stream ends when its token
 * expires and when the process shuts down. Presence is a session per stream, renewed with
 * the heartbeat, left when the stream closes.
 */
export class LiveHub implements BeforeApplicationShutdown {
  private readonly logger = new Logger('live');
  private readonly streams = new Set<LiveStream>();
  private readonly byCustomer = new Map<string, Set<LiveStream>>();
  private readonly perUser = new Map<string, number>();
  private subscription: Promise<() => void> | null = null;
  private shuttingDown = false;

  constructor(
    private readonly readModels: ReadModels,
    private readonly timeline: TimelineReadModel,
    readonly settings: LiveSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get openStreams(): number {
    return this.streams.size;
  }

  /** Throws `LiveStreamRefused` past a bound; nothing is written to `res` then. */
  admit(principal: StaffPrincipal): void {
    if (this.shuttingDown) throw new LiveStreamRefused(503, 'the service is shutting down');
    if (this.streams.size >= this.settings.maxStreams)
      throw new LiveStreamRefused(503, 'too many live streams on this replica; try again soon');
    if ((this.perUser.get(principal.subject) ?? 0) >= this.settings.streamsPerUser)
      throw new LiveStreamRefused(
        429,
        `at most ${this.settings.streamsPerUser} live streams per user; close another page`,
      );
  }

  /**
   * Opens a stream for a customer (the survivor `customerId` answers for, whose group is
   * `customerIds`) on `res`; it ends when the client goes, the token expires or the process
   * shuts down.
   */
  async open(
    group: { customerId: string; customerIds: string[] },
    principal: StaffPrincipal,
    res: ServerResponse,
  ): Promise<void> {
    this.admit(principal);
    await this.subscribe();
    const stream: LiveStream = {
      id: randomUUID(),
      customerId: group.customerId,
      watched: new Set(group.customerIds),
      viewer: { staffId: principal.subject, name: principal.name ?? principal.subject },
      res,
      timers: [],
      closed: false,
    };
    this.streams.add(stream);
    this.perUser.set(principal.subject, (this.perUser.get(principal.subject) ?? 0) + 1);
    this.index(stream);
    res.on('close', () => this.close(stream));
    res.on('error', () => this.close(stream));

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and other buffering proxies: pass each event on at once.
      'x-accel-buffering': 'no',
    });
    this.write(stream, `retry: 2000\n\n`);
    this.send(stream, 'ready', {
      customerId: group.customerId,
      position: await this.readModels.timeline.checkpoint().catch(() => null),
      heartbeatMs: this.settings.heartbeatMs,
    });

    const heartbeat = setInterval(() => {
      this.write(stream, `: ping\n\n`);
      void this.touch(stream);
    }, this.settings.heartbeatMs);
    heartbeat.unref();
    stream.timers.push(heartbeat);
    if (principal.expiresAtMs !== undefined) {
      const left = Math.max(0, principal.expiresAtMs - this.now());
      const expiry = setTimeout(() => this.end(stream, 'expired'), Math.min(left, 2_147_000_000));
      expiry.unref();
      stream.timers.push(expiry);
    }
    await this.touch(stream);
    await this.presenceChanged(stream.customerId);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    const open = [...this.streams];
    for (const stream of open) this.end(stream, 'shutdown');
    await Promise.all(open.map((stream) => this.leave(stream)));
    const unsubscribe = await this.subscription?.catch(() => null);
    unsubscribe?.();
  }

  private subscribe(): Promise<() => void> {
    this.subscription ??= this.readModels.live
      .subscribe((change) => this.onChange(change))
      .catch((error: unknown) => {
        this.subscription = null;
        throw error;
      });
    return this.subscription;
  }

  private onChange(change: LiveChange): void {
    if (change.kind === 'presence') {
      const streams = this.byCustomer.get(change.customerId);
      if (streams?.size) void this.sendPresence(change.customerId, streams);
      return;
    }
    const touched = new Set<LiveStream>();
    if (change.all) for (const stream of this.streams) touched.add(stream);
    else
      for (const id of change.customerIds)
        for (const stream of this.byCustomer.get(id) ?? []) touched.add(stream);
    for (const stream of touched) {
      this.send(stream, 'changed', { position: change.position });
      void this.regroup(stream);
    }
  }

  /** A merge or unmerge may have changed which ids make up the stream's customer. */
  private async regroup(stream: LiveStream): Promise<void> {
    try {
      const group = await customerGroupOf(this.timeline, stream.customerId);
      if (stream.closed || !group) return;
      this.unindex(stream);
      stream.watched = new Set([stream.customerId, ...group.customerIds]);
      this.index(stream);
    } catch (error) {
      this.logger.warn(`live stream: could not regroup (${String(error)})`);
    }
  }

  private async presenceChanged(customerId: string): Promise<void> {
    await this.readModels.live
      .publish({ kind: 'presence', customerId })
      .catch((error: unknown) => this.logger.warn(`presence not published (${String(error)})`));
  }

  private async sendPresence(customerId: string, streams: Iterable<LiveStream>): Promise<void> {
    try {
      const viewers = await this.readModels.presence.viewers(customerId, this.now());
      for (const stream of streams) this.send(stream, 'presence', { customerId, viewers });
    } catch (error) {
      this.logger.warn(`presence not read (${String(error)})`);
    }
  }

  private async touch(stream: LiveStream): Promise<void> {
    if (stream.closed) return;
    await this.readModels.presence
      .touch(stream.customerId, stream.id, stream.viewer, this.now() + this.settings.presenceTtlMs)
      .catch((error: unknown) => this.logger.warn(`presence not renewed (${String(error)})`));
  }

  private async leave(stream: LiveStream): Promise<void> {
    await this.readModels.presence
      .leave(stream.customerId, stream.id)
      .catch((error: unknown) => this.logger.warn(`presence not left (${String(error)})`));
  }

  private send(stream: LiveStream, event: string, data: unknown): void {
    this.write(stream, `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private write(stream: LiveStream, text: string): void {
    if (stream.closed || stream.res.writableEnded) return;
    // A reader that stopped reading is dropped rather than buffered without end.
    if (stream.res.writableLength > this.settings.maxBufferedBytes) {
      stream.res.destroy();
      return;
    }
    try {
      stream.res.write(text);
    } catch {
      stream.res.destroy();
    }
  }

  /** Ends the stream from this side, saying why (the client reconnects unless shutting down). */
  private end(stream: LiveStream, reason: 'expired' | 'shutdown'): void {
    this.send(stream, 'bye', { reason });
    stream.res.end();
    this.close(stream);
  }

  private close(stream: LiveStream): void {
    if (stream.closed) return;
    stream.closed = true;
    for (const timer of stream.timers) clearTimeout(timer);
    this.streams.delete(stream);
    this.unindex(stream);
    const count = (this.perUser.get(stream.viewer.staffId) ?? 1) - 1;
    if (count > 0) this.perUser.set(stream.viewer.staffId, count);
    else this.perUser.delete(stream.viewer.staffId);
    if (!this.shuttingDown)
      void this.leave(stream).then(() => this.presenceChanged(stream.customerId));
  }

  private index(stream: LiveStream): void {
    for (const id of stream.watched) {
      let set = this.byCustomer.get(id);
      if (!set) this.byCustomer.set(id, (set = new Set()));
      set.add(stream);
    }
  }

  private unindex(stream: LiveStream): void {
    for (const id of stream.watched) {
      const set = this.byCustomer.get(id);
      set?.delete(stream);
      if (set?.size === 0) this.byCustomer.delete(id);
    }
  }
}
