import { Client, type ClientConfig } from 'pg';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

/**
 * A dedicated connection that LISTENs on the store's notification channel and calls
 * `onAppend` for every notification: appends made by other processes wake subscribers
 * at once instead of at the next poll.
 *
 * If the connection drops (server restart, idle kill, network), it reconnects with
 * backoff (0.1 s doubling to 5 s) for as long as the store is open. Notifications sent
 * while it was away are lost, so after every (re)connect it calls `onAppend` once: the
 * subscribers look at the log and find whatever they missed. The store's poll is the
 * safety net for the time in between.
 */
export class PostgresAppendListener {
  private client: Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** A reconnect in progress, which `close()` waits for (it ends what it connected). */
  private reconnecting: Promise<void> | undefined;
  private retryMs = FIRST_RETRY_MS;
  private closed = false;
  private started = false;
  private connectionsMade = 0;

  constructor(
    private readonly config: ClientConfig,
    private readonly channel: string,
    private readonly onAppend: () => void,
  ) {}

  /**
   * Starts listening, once: connects in the background, and retries with backoff when the
   * first connection fails too. The store calls it for its first subscriber only: a store
   * that only appends (an ingestor) would otherwise be woken by each of its own appends.
   */
  listen(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.reconnecting = this.connect()
      .catch(() => this.scheduleReconnect())
      .finally(() => (this.reconnecting = undefined));
  }

  /** Connections made: 0 before `listen()`, 1 once listening, plus one per reconnect (for health and tests). */
  get connections(): number {
    return this.connectionsMade;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.reconnecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ ...this.config, keepAlive: true });
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    // An 'error' event without a listener would crash the process.
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.onAppend();
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      lost = true;
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.connectionsMade += 1;
    this.retryMs = FIRST_RETRY_MS;
    this.onAppend();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.closed) return;
      this.reconnecting = this.connect()
        .catch(() => {
          this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
          this.scheduleReconnect();
        })
        .finally(() => (this.reconnecting = undefined));
    }, this.retryMs);
    this.retryTimer.unref();
  }
}
