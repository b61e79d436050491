import { Client } from 'pg';

const RECONNECT_DELAY_MS = 1000;

/**
 * LISTENs on one channel over a dedicated connection (a pooled one would be handed to
 * other queries and stop hearing). If the connection drops it reconnects in the background;
 * meanwhile subscribers still wake up on their polling fallback, so a lost notification
 * only costs latency.
 */
export class NotificationListener {
  private client: Client | null = null;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
    private readonly onNotify: () => void,
  ) {}

  /** Connects and listens; a failure here is the caller's (a bad connection string). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.connectionString });
    client.on('notification', () => {
      this.onNotify();
    });
    client.on('error', () => {
      this.reconnectLater(client);
    });
    client.on('end', () => {
      this.reconnectLater(client);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
    // Appends may have committed while nobody was listening: wake subscribers to look.
    this.onNotify();
  }

  private reconnectLater(client: Client): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    void client.end().catch(() => undefined);
    this.schedule();
  }

  private schedule(): void {
    this.retry = setTimeout(() => {
      this.connect().catch(() => {
        if (!this.closed) this.schedule();
      });
    }, RECONNECT_DELAY_MS);
    this.retry.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end();
  }
}
