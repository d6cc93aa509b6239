import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '@motcua/platform';
import { REDIS } from '@motcua/platform';
import { LOGGER } from '@motcua/platform';

export interface StoredResponse {
  /** sha-256 of method, path and body of the first request: a key reused for another request is refused. */
  fingerprint: string;
  status: number;
  body: unknown;
  etag?: string;
}

/**
 * First responses of keyed commands, in Redis under `<REDIS_KEY_PREFIX>idem:<sha256(scoped command id)>` with a TTL
 * (IDEMPOTENCY_TTL_SECONDS, default 24 h). This is the fast path only: the guarantee of "one event per
 * command" is the event store's (the command id, claimed for one dossier), and a handler that sees `duplicate: true`
 * rebuilds the same answer from the stream at the revision that command wrote. So losing Redis (it keeps
 * nothing on disk here) never duplicates a write; at worst a retry is answered from the store.
 */
type Op =
  | { kind: 'get'; key: string; done: (err: Error | null, value?: string | null) => void }
  | { kind: 'set'; key: string; value: string; done: (err: Error | null) => void };

@Injectable()
export class IdempotencyStore {
  /**
   * Commands of concurrent requests, sent together as one pipeline (one write, one read) once the current
   * I/O phase has handed over every request it parsed (setImmediate). Under load each keyed command costs a
   * GET and a SET: batching them makes the Redis share of a command's CPU a fraction of a syscall.
   */
  private queue: Op[] = [];
  private scheduled = false;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async get(key: string): Promise<StoredResponse | undefined> {
    if (this.redis.status !== 'ready') return undefined;
    try {
      const raw = await new Promise<string | null | undefined>((resolve, reject) =>
        this.enqueue({ kind: 'get', key: this.config.redisKeyPrefix + key, done: (err, v) => (err ? reject(err) : resolve(v)) }),
      );
      return raw ? (JSON.parse(raw) as StoredResponse) : undefined;
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'idempotency cache read failed');
      return undefined;
    }
  }

  async put(key: string, value: StoredResponse): Promise<void> {
    if (this.redis.status !== 'ready') return;
    try {
      await new Promise<void>((resolve, reject) =>
        this.enqueue({ kind: 'set', key: this.config.redisKeyPrefix + key, value: JSON.stringify(value), done: (err) => (err ? reject(err) : resolve()) }),
      );
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'idempotency cache write failed');
    }
  }

  private enqueue(op: Op): void {
    this.queue.push(op);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    const ttl = this.config.idempotencyTtlSeconds;
    if (batch.length === 1) {
      const op = batch[0];
      if (op.kind === 'get')
        this.redis.get(op.key).then(
          (v) => op.done(null, v),
          (e: Error) => op.done(e),
        );
      else
        this.redis.set(op.key, op.value, 'EX', ttl).then(
          () => op.done(null),
          (e: Error) => op.done(e),
        );
      return;
    }
    const pipeline = this.redis.pipeline();
    for (const op of batch) {
      if (op.kind === 'get') pipeline.get(op.key);
      else pipeline.set(op.key, op.value, 'EX', ttl);
    }
    pipeline.exec().then(
      (results) => {
        batch.forEach((op, i) => {
          const [err, v] = results?.[i] ?? [new Error('no reply in the pipeline'), undefined];
          if (op.kind === 'get') op.done(err, v as string | null);
          else op.done(err);
        });
      },
      (e: Error) => batch.forEach((op) => op.done(e)),
    );
  }
}
