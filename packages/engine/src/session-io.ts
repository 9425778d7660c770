import type { ChunkRequest } from '@syncline/replica';
import type { Channel } from './channel.js';
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

  constructor(
    private readonly channel: Channel,
    private readonly serveChunks: (requests: ChunkRequest[]) => Promise<Map<string, Uint8Array>>,
  ) {
    this.done = this.readLoop();
  }

  send(message: Message): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.channel.send(message);
  }

  async expect<T extends MessageType>(type: T): Promise<Of<T>> {
    if (this.failure) throw this.failure;
    const q = this.queues.get(type);
    if (q && q.length > 0) return q.shift() as Of<T>;
    return new Promise<Of<T>>((resolve, reject) => {
      this.waiters.set(type, { resolve: resolve as (m: Message) => void, reject });
    });
  }

  async fetchChunks(requests: readonly ChunkRequest[]): Promise<Map<string, Uint8Array>> {
    const id = this.nextRequestId++;
    const reply = new Promise<Of<'chunks'>>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    await this.send({ t: 'getChunks', id, chunks: [...requests] });
    const m = await reply;
    return new Map(m.chunks.map((c) => [c.hash, c.data]));
  }

  /** Ends the session on both sides, telling the peer why. */
  async abort(reason: string): Promise<void> {
    await this.channel.send({ t: 'abort', reason }).catch(() => undefined);
    this.fail(new SessionAbortedError(reason));
    this.channel.close(reason);
  }

  close(): void {
    this.channel.close();
  }

  private async readLoop(): Promise<void> {
    try {
      for (;;) {
        const m = parseMessage(await this.channel.receive());
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
      await this.send({ t: 'chunks', id: m.id, chunks: [...found].map(([hash, data]) => ({ hash, data })) });
    } catch (err) {
      if (!(err instanceof ChannelClosedError)) this.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private fail(err: Error): void {
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
