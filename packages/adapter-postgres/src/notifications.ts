import { ChangeNotifier } from '@taawun/domain';
import { createHash } from 'node:crypto';
import { Client, type PoolConfig } from 'pg';
import { quoteIdentifier } from './connection.js';

/** The NOTIFY channel of a schema's log (channel names are limited to 63 bytes). */
export function notificationChannel(schema: string): string {
  const plain = `taawun:${schema}`;
  return Buffer.byteLength(plain) <= 63 ? plain : `taawun:${createHash('sha256').update(schema).digest('hex').slice(0, 40)}`;
}

/**
 * Wake-ups for a store's followers: commits made through this store, NOTIFYs
 * from other processes (one LISTEN connection per store, outside the pool,
 * opened on the first follow), and a poll interval as the safety net. If the
 * LISTEN connection fails, followers poll and it is tried again later.
 */
export class LogNotifications {
  private readonly changes = new ChangeNotifier();
  /** Counts wake-ups, so a follower can tell that one came while it was reading. */
  private wakeups = 0;
  private listener: Client | undefined;
  private connecting: Promise<void> | undefined;
  private retryAt = 0;
  private closed = false;

  constructor(
    private readonly config: PoolConfig,
    readonly channel: string,
    private readonly listen: boolean,
    private readonly pollIntervalMs: number,
  ) {}

  /** Something may have changed: release every waiting follower. */
  wake(): void {
    this.wakeups++;
    this.changes.notify();
  }

  /** A wait function for one follower: returns at once if there was a wake-up since its last wait, else on the next one or after the poll interval. */
  async waiter(): Promise<(signal: AbortSignal | undefined) => Promise<void>> {
    await this.ensureListening();
    let seen = this.wakeups;
    return async (signal) => {
      if (this.wakeups === seen && !this.closed) await this.changes.wait(signal, this.pollIntervalMs);
      seen = this.wakeups;
      await this.ensureListening();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await this.connecting?.catch(() => undefined);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  private ensureListening(): Promise<void> {
    if (!this.listen || this.closed || this.listener || Date.now() < this.retryAt) return Promise.resolve();
    this.connecting ??= this.startListening().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async startListening(): Promise<void> {
    // A multi-host configuration brings its own Client, which finds the server to use (after a failover too).
    const client = new ((this.config.Client as typeof Client | undefined) ?? Client)({ ...this.config, application_name: `${this.config.application_name ?? 'taawun'}-listener` });
    const drop = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.retryAt = Date.now() + this.pollIntervalMs;
      client.end().catch(() => undefined);
      this.wake(); // notifications may have been missed: let followers read
    };
    client.on('error', drop);
    client.on('end', drop);
    client.on('notification', () => this.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdentifier(this.channel)}`);
      if (this.closed) await client.end();
      else this.listener = client;
    } catch {
      this.retryAt = Date.now() + 5 * this.pollIntervalMs;
      await client.end().catch(() => undefined);
    }
  }
}
