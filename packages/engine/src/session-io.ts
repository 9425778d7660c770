import type { ChunkRequest } from '@syncline/replica';
import type { Channel, SendOptions } from './channel.js';
import { ChannelClosedError, ProtocolError, SessionAbortedError } from './errors.js';
import { parseMessage, type Message, type MessageType } from './messages.js';

type Of<T extends MessageType> = Extract<Message, { t: T }>;

/**
 * Reads one channel and routes messages: chunk requests go to the serving handler at any
 * time, chunk replies to their pending request, everything else to a queue per type that
 * the session consumes in order.
 */
export class SessionIO {
  private readonly queues = new Map<MessageType, Message[]>();
  private readonly waiters = new Map<MessageType, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private readonly pending = new Map<number, { resolve: (m: Of<'chunks'>) => void; reject: (e: Error) => void }>();
  private nextRequestId = 1;
  private failure: Error | undefined;
  readonly done: Promise<void>;

  private idleTimer: NodeJS.Timeout | undefined;

  /**
   * @param idleTimeoutMs a peer that sends nothing for this long is gone (a cut link may never
   *   close the connection): the session ends instead of blocking its folder. Sessions move in
   *   bounded rounds, so a live peer is never silent for long.
   */
  constructor(
    private readonly channel: Channel,
    private readonly serveChunks: (requests: ChunkRequest[]) => Promise<Map<string, Uint8Array>>,
    private readonly idleTimeoutMs?: number,
    /** Takes back the chunks serveChunks returned once they were sent. */
    private readonly releaseServed?: (chunks: Iterable<Uint8Array>) => void,
  ) {
    this.armIdleTimer();
    this.done = this.readLoop();
  }

  /** Since when this side has been waiting without hearing from the peer. */
  private lastHeard = Date.now();

  private armIdleTimer(delay = this.idleTimeoutMs): void {
    if (!this.idleTimeoutMs || this.failure) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      const waiting = this.waiters.size > 0 || this.pending.size > 0;
      const silentFor = Date.now() - this.lastHeard;
      // Time this side spent busy (not waiting) does not count against the peer.
      if (!waiting || silentFor < this.idleTimeoutMs!) {
        this.armIdleTimer(waiting ? this.idleTimeoutMs! - silentFor : this.idleTimeoutMs);
        return;
      }
      const reason = `the other side sent nothing for ${Math.round(silentFor / 1000)} s`;
      this.fail(new SessionAbortedError(reason));
      this.channel.close(reason);
    }, delay);
  }

  private startWaiting(): void {
    if (this.waiters.size === 0 && this.pending.size === 0) this.lastHeard = Date.now();
  }

  send(message: Message, options?: SendOptions): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.channel.send(message, options);
  }

  async expect<T extends MessageType>(type: T): Promise<Of<T>> {
    if (this.failure) throw this.failure;
    const q = this.queues.get(type);
    if (q && q.length > 0) return q.shift() as Of<T>;
    return new Promise<Of<T>>((resolve, reject) => {
      this.startWaiting();
      this.waiters.set(type, { resolve: resolve as (m: Message) => void, reject });
    });
  }

  async fetchChunks(requests: readonly ChunkRequest[]): Promise<Map<string, Uint8Array>> {
    const id = this.nextRequestId++;
    const reply = new Promise<Of<'chunks'>>((resolve, reject) => {
      this.startWaiting();
      this.pending.set(id, { resolve, reject });
    });
    await this.send({ t: 'getChunks', id, chunks: [...requests] });
    const m = await reply;
    return new Map(m.chunks.map((c) => [c.hash, c.data]));
  }

  /** Gives back chunks from fetchChunks() that nothing reads any more (all of one reply at once). */
  releaseChunks(chunks: Iterable<Uint8Array>): void {
    this.channel.release?.(chunks);
  }

  /** Ends the session on both sides, telling the peer why. */
  async abort(reason: string): Promise<void> {
    await this.channel.send({ t: 'abort', reason }).catch(() => undefined);
    this.fail(new SessionAbortedError(reason));
    this.channel.close(reason);
  }

  close(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.channel.close();
  }

  private async readLoop(): Promise<void> {
    try {
      for (;;) {
        const m = parseMessage(await this.channel.receive());
        this.lastHeard = Date.now();
        if (m.t === 'getChunks') {
          void this.serve(m);
        } else if (m.t === 'chunks') {
          const p = this.pending.get(m.id);
          if (!p) throw new ProtocolError(`reply to unknown request ${m.id}`);
          this.pending.delete(m.id);
          p.resolve(m);
        } else if (m.t === 'abort') {
          throw new SessionAbortedError(`the other side aborted the session: ${m.reason}`);
        } else {
          const w = this.waiters.get(m.t);
          if (w) {
            this.waiters.delete(m.t);
            w.resolve(m);
          } else {
            const q = this.queues.get(m.t) ?? [];
            q.push(m);
            this.queues.set(m.t, q);
          }
        }
      }
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      if (e instanceof ProtocolError) {
        await this.channel.send({ t: 'abort', reason: e.message }).catch(() => undefined);
        this.channel.close(e.message);
      }
      this.fail(e);
    }
  }

  private async serve(m: Of<'getChunks'>): Promise<void> {
    try {
      const found = await this.serveChunks(m.chunks);
      const release = this.releaseServed;
      const lent = release ? { views: found.values(), release: () => release(found.values()) } : undefined;
      await this.send({ t: 'chunks', id: m.id, chunks: [...found].map(([hash, data]) => ({ hash, data })) }, { lent });
    } catch (err) {
      if (!(err instanceof ChannelClosedError)) this.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private fail(err: Error): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.failure) return;
    this.failure = err;
    for (const w of this.waiters.values()) w.reject(err);
    this.waiters.clear();
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  get failed(): Error | undefined {
    return this.failure;
  }
}
