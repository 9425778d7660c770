import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface';
import { ChannelClosedError, ProtocolError, type Channel, type Logger, type SendOptions } from '@syncline/engine';
import { Uint8ArrayList } from 'uint8arraylist';
import { decodeFramePayload, encodeFrameParts, FrameBuffer, MAX_FRAME_BYTES } from './framing.js';
import { releaseOnceEncrypted } from './lean-noise.js';

/** Read ahead at most this much while nobody is waiting in receive(); then pause the stream. */
export const READ_AHEAD_BYTES = 2 * 1024 * 1024;
/**
 * While a stream is paused, yamux stops granting window but the peer may still send what the
 * last grant allowed (at most its 16 MiB maximum window): libp2p resets a stream whose paused
 * buffer exceeds `maxReadBufferLength`, so that limit must be above the largest window.
 */
export const STREAM_READ_BUFFER_BYTES = 32 * 1024 * 1024;
/** After closing our side, how long the peer gets to close its side before the stream is reset. */
export const CLOSE_LINGER_MS = 10_000;

export interface StreamChannelOptions {
  /** The remote device ID, for logs. */
  readonly peer: string;
  readonly log: Logger;
  readonly maxFrameBytes?: number;
  readonly readAheadBytes?: number;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: Error };

/**
 * A Channel over one libp2p stream, in length-prefixed msgpack frames (framing.ts).
 *
 * - send() resolves once the frame has left the stream's own write buffer (handed to the muxer,
 *   whose window the receiver controls); concurrent sends are written one after another.
 * - receive() decodes one frame when asked; bytes are read ahead only up to READ_AHEAD_BYTES
 *   while nobody asks, then the stream is paused, so a slow receiver slows the sender.
 * - A frame that breaks the rules (length above the limit, truncated, not msgpack, not plain
 *   data) rejects receive() with a ProtocolError, is logged, and resets the stream.
 * - close() sends what was queued, then ends our side; the peer's pending receive() rejects with
 *   ChannelClosedError once it has read what was sent. The peer ending its side, a reset or a
 *   lost connection close this end too: buffered complete frames are still delivered, then
 *   receive() rejects with ChannelClosedError and send() throws it.
 */
export class StreamChannel implements Channel {
  /** May be raised after a small first frame (a protocol header). */
  maxFrameBytes: number;
  readonly peer: string;
  /** Resolves once the underlying stream is closed in both directions (or reset). */
  readonly done: Promise<void>;

  private readonly log: Logger;
  private readonly readAheadBytes: number;
  private readonly buffer = new FrameBuffer();
  private waiter: { resolve: (v: unknown) => void; reject: (e: Error) => void } | undefined;
  private closedReason: string | undefined;
  private localClosed = false;
  private failed = false;
  private remoteEnded = false;
  private streamClosed = false;
  private resuming = false;
  private sendChain: Promise<void> = Promise.resolve();
  private lingerTimer: NodeJS.Timeout | undefined;
  private markDone!: () => void;

  constructor(
    readonly stream: Stream,
    options: StreamChannelOptions,
  ) {
    this.peer = options.peer;
    this.log = options.log;
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.readAheadBytes = options.readAheadBytes ?? READ_AHEAD_BYTES;
    this.done = new Promise((resolve) => (this.markDone = resolve));
    stream.maxReadBufferLength = Math.max(stream.maxReadBufferLength, STREAM_READ_BUFFER_BYTES);
    stream.addEventListener('message', this.onMessage);
    stream.addEventListener('remoteCloseWrite', this.onRemoteCloseWrite);
    stream.addEventListener('close', this.onClose);
    if (stream.status !== 'open') this.onClose();
  }

  send(message: unknown, options?: SendOptions): Promise<void> {
    if (this.closedReason !== undefined) return Promise.reject(new ChannelClosedError(this.closedReason));
    const written = this.sendChain.then(() => this.write(message, options));
    this.sendChain = written.catch(() => undefined);
    return written;
  }

  receive(): Promise<unknown> {
    if (this.waiter) return Promise.reject(new Error('StreamChannel.receive() is already pending: call it again only after it settles'));
    const outcome = this.next();
    if (outcome) return outcome.ok ? Promise.resolve(outcome.value) : Promise.reject(outcome.error);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.flow();
    });
  }

  release(views: Iterable<Uint8Array>): void {
    if (!this.localClosed && !this.failed) this.buffer.payloads.release(views);
  }

  close(reason = 'the session was closed'): void {
    if (this.localClosed) return;
    this.localClosed = true;
    this.shut(reason);
    if (this.streamClosed) return;
    this.lingerTimer = setTimeout(() => this.abort(`the peer did not close its side within ${CLOSE_LINGER_MS} ms`), CLOSE_LINGER_MS);
    this.lingerTimer.unref();
    // Queued sends fail now (the channel is closed); a send already writing finishes first.
    void this.sendChain.then(() => this.stream.close()).catch(() => undefined);
  }

  /** Closes at once, discarding anything unsent, and resets the stream. */
  abort(reason: string): void {
    this.localClosed = true;
    this.shut(reason);
    if (!this.streamClosed) this.stream.abort(new ChannelClosedError(reason));
  }

  private async write(message: unknown, options: SendOptions | undefined): Promise<void> {
    if (this.closedReason !== undefined) throw new ChannelClosedError(this.closedReason);
    const parts = encodeFrameParts(message, this.maxFrameBytes);
    if (options?.lent) releaseOnceEncrypted(parts, options.lent);
    try {
      // One send() for the whole frame, so that its parts go out in as few muxer frames as one
      // buffer would. (Noise and yamux depend on uint8arraylist 2.x, libp2p's types on 3.x; both
      // recognise a list by the same marker symbol and read its `bufs`.)
      this.stream.send(parts.length === 1 ? parts[0]! : (new Uint8ArrayList(...parts) as unknown as Parameters<Stream['send']>[0]));
    } catch (err) {
      throw new ChannelClosedError(this.closedReason ?? `the stream can no longer be written (${err instanceof Error ? err.message : String(err)})`);
    }
    await this.untilWritten();
  }

  /** Waits until the stream's write buffer is empty and the muxer accepts more. */
  private async untilWritten(): Promise<void> {
    const s = this.stream;
    for (;;) {
      // A reset discards the write buffer: the frame may not have gone out.
      if (this.streamClosed && s.status !== 'closed') throw new ChannelClosedError(this.closedReason ?? 'the stream was reset');
      if (!s.writableNeedsDrain && s.writeBufferLength === 0) return;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          s.removeEventListener('drain', wake);
          s.removeEventListener('idle', wake);
          s.removeEventListener('close', wake);
          resolve();
        };
        s.addEventListener('drain', wake);
        s.addEventListener('idle', wake);
        s.addEventListener('close', wake);
      });
    }
  }

  private readonly onMessage = (evt: StreamMessageEvent): void => {
    if (this.localClosed || this.failed) return;
    const data = evt.data;
    if (data instanceof Uint8Array) this.buffer.push(data);
    else for (const chunk of data) this.buffer.push(chunk);
    this.deliver();
  };

  private readonly onRemoteCloseWrite = (): void => {
    this.remoteEnded = true;
    this.closedReason ??= 'the peer closed the session';
    // Our side has nothing more to say either: finish it so the stream can close.
    if (!this.localClosed) void this.sendChain.then(() => this.stream.close()).catch(() => undefined);
    this.deliver();
  };

  private readonly onClose = (evt?: StreamCloseEvent): void => {
    if (this.streamClosed) return;
    this.streamClosed = true;
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    const error = evt?.error;
    this.closedReason ??= error ? `the stream was reset (${error.message})` : 'the session was closed';
    // Listeners stay: bytes the stream still holds (it was paused) are read on demand.
    this.deliver();
    this.markDone();
  };

  /** The next frame, the error to report, or undefined while more bytes may still come. */
  private next(): Outcome | undefined {
    if (!this.localClosed && !this.failed) {
      try {
        const payload = this.buffer.nextFrame(this.maxFrameBytes);
        if (payload) return { ok: true, value: decodeFramePayload(payload) };
        if (this.moreMayArrive()) return undefined;
        if (this.remoteEnded && this.buffer.byteLength > 0) {
          throw new ProtocolError(`the stream ended in the middle of a frame (${this.buffer.byteLength} bytes of it arrived)`);
        }
      } catch (err) {
        return { ok: false, error: this.fail(err instanceof Error ? err : new Error(String(err))) };
      }
    }
    return { ok: false, error: new ChannelClosedError(this.closedReason ?? 'the session was closed') };
  }

  private moreMayArrive(): boolean {
    const s = this.stream;
    const unread = s.readBufferLength > 0 && (s.readStatus === 'paused' || s.readStatus === 'readable');
    return unread || (!this.remoteEnded && !this.streamClosed);
  }

  private deliver(): void {
    const waiter = this.waiter;
    if (waiter) {
      const outcome = this.next();
      if (outcome && this.waiter === waiter) {
        this.waiter = undefined;
        if (outcome.ok) waiter.resolve(outcome.value);
        else waiter.reject(outcome.error);
      }
    }
    this.flow();
  }

  /** Resumes the stream while someone waits or the read-ahead is short, pauses it otherwise. */
  private flow(): void {
    if (this.resuming) return;
    const s = this.stream;
    if (s.readStatus !== 'readable' && s.readStatus !== 'paused') return;
    const discarding = this.localClosed || this.failed;
    const wanted = discarding || this.waiter !== undefined || this.buffer.byteLength < this.readAheadBytes;
    if (wanted && s.readStatus === 'paused') {
      // resume() may deliver buffered data synchronously, re-entering deliver(): pause only after.
      this.resuming = true;
      try {
        s.resume();
      } finally {
        this.resuming = false;
      }
      this.deliver();
    } else if (!wanted && s.readStatus === 'readable') {
      s.pause();
    }
  }

  private fail(err: Error): Error {
    // The caller hands `err` to the receiver; later receives get ChannelClosedError.
    this.failed = true;
    this.buffer.clear();
    this.closedReason ??= err.message;
    this.log.warn({ peer: this.peer, protocol: this.stream.protocol, err: err.message }, 'protocol error from peer: stream reset');
    // Reset after the caller has delivered the error (the reset emits events synchronously).
    queueMicrotask(() => {
      if (!this.streamClosed) this.stream.abort(err);
    });
    return err;
  }

  private shut(reason: string): void {
    this.closedReason ??= reason;
    if (this.localClosed) this.buffer.clear();
    const waiter = this.waiter;
    if (waiter && (this.localClosed || this.failed)) {
      this.waiter = undefined;
      waiter.reject(new ChannelClosedError(this.closedReason));
    }
    this.flow();
  }
}
