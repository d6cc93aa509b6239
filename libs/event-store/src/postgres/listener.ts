/**
 * LISTEN on a store's NOTIFY channel, so that commits of other processes (every write transaction that
 * writes events NOTIFYs the schema's channel) wake this process's subscribers at once instead of at their
 * next poll. One dedicated connection outside the pool, opened by the first subscriber. It is only an
 * accelerator: when it cannot connect or its connection breaks, subscribers keep polling, and a later
 * subscribe tries LISTEN again.
 */
import { Client } from 'pg';

export class NotificationListener {
  private client?: Client;
  private connecting?: Promise<void>;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
    private readonly onNotification: () => void,
  ) {}

  /** Starts listening unless already listening (or connecting); returns at once. */
  ensure(): void {
    if (this.client || this.connecting || this.closed) return;
    const client = new Client({ connectionString: this.connectionString });
    this.connecting = (async () => {
      try {
        await client.connect();
        client.on('notification', () => this.onNotification());
        client.on('error', () => {
          // Polling keeps subscribers going; a later subscribe re-establishes LISTEN.
          if (this.client === client) this.client = undefined;
        });
        await client.query(`LISTEN "${this.channel}"`);
        if (this.closed) await client.end();
        else this.client = client;
      } catch {
        await client.end().catch(() => undefined);
      } finally {
        this.connecting = undefined;
      }
    })();
  }

  /** Stops listening for good (waits for a connection attempt under way). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.connecting) await this.connecting;
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}
