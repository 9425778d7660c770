import { ChannelClosedError } from './errors.js';

/**
 * A duplex message channel between two replicas. The engine owns this interface:
 * an in-process pair serves local sync; the p2p package carries it over libp2p streams.
 * Messages are plain data; the receiver validates everything it gets.
 */
export interface Channel {
  send(message: unknown, options?: SendOptions): Promise<void>;
  /** Resolves with the next message, or rejects with ChannelClosedError once closed. */
  receive(): Promise<unknown>;
  close(reason?: string): void;
  /**
   * Optional: gives back byte strings of received messages (whole payloads: every byte string
   * of one message at once) once nothing reads them any more, so that the channel may reuse
   * their memory for later messages.
   */
  release?(views: Iterable<Uint8Array>): void;
}

export interface SendOptions {
  /**
   * Byte strings of the message that their owner wants back: the channel calls `release` once it
   * no longer reads any of them (they may be overwritten then), or never if it cannot tell.
   */
  readonly lent?: { readonly views: Iterable<Uint8Array>; readonly release: () => void };
}

class MemoryEnd implements Channel {
  private readonly inbox: unknown[] = [];
  private waiter: { resolve: (m: unknown) => void; reject: (e: Error) => void } | undefined;
  private closedReason: string | undefined;
  other!: MemoryEnd;

  async send(message: unknown): Promise<void> {
    if (this.closedReason !== undefined) throw new ChannelClosedError(this.closedReason);
    this.other.deliver(message);
  }

  private deliver(message: unknown): void {
    if (this.closedReason !== undefined) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(message);
    } else this.inbox.push(message);
  }

  receive(): Promise<unknown> {
    if (this.inbox.length > 0) return Promise.resolve(this.inbox.shift());
    if (this.closedReason !== undefined) return Promise.reject(new ChannelClosedError(this.closedReason));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  close(reason = 'the session was closed'): void {
    this.shut(reason);
    this.other.shut(reason);
  }

  private shut(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(new ChannelClosedError(reason));
    }
  }
}

/** Two connected in-process channel ends. */
export function memoryChannelPair(): [Channel, Channel] {
  const a = new MemoryEnd();
  const b = new MemoryEnd();
  a.other = b;
  b.other = a;
  return [a, b];
}
