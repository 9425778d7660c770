/**
 * The dashboard's link to the daemon: one WebSocket to /api on the page's own host, requests
 * `{id, method, params}` answered by id, and events `{event, data}` pushed by the daemon.
 * Nothing is polled; a dropped connection is retried with a growing delay, and a refused one
 * (wrong token) is not retried.
 */

export type ConnectionState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'open' }
  | { readonly kind: 'reconnecting'; readonly inMs: number }
  | { readonly kind: 'refused' };

export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

export const UNKNOWN_METHOD = 'SYNCLINE_API_UNKNOWN_METHOD';

export interface ApiCaller {
  call<T>(method: string, params?: Record<string, unknown>): Promise<T>;
}

export interface ConnectionHandlers {
  state(state: ConnectionState): void;
  event(name: string, data: unknown): void;
  /** Each time the connection opens (first time and after a reconnect): load the full state. */
  opened(): void;
}

const RETRY_MS = [500, 1000, 2000, 4000, 8000, 15000] as const;

export class DaemonConnection implements ApiCaller {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly token: string,
    private readonly handlers: ConnectionHandlers,
    private readonly host = location.host,
  ) {}

  start(): void {
    this.connect();
  }

  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new ApiCallError('SYNCLINE_API_CLOSED', 'not connected to the daemon'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.ws?.close();
  }

  private connect(): void {
    this.handlers.state({ kind: 'connecting' });
    const ws = new WebSocket(`ws://${this.host}/api?token=${encodeURIComponent(this.token)}`);
    this.ws = ws;
    let opened = false;
    ws.addEventListener('open', () => {
      opened = true;
      this.attempt = 0;
      this.handlers.state({ kind: 'open' });
      this.handlers.opened();
    });
    ws.addEventListener('message', (e) => this.receive(String(e.data)));
    ws.addEventListener('close', () => {
      this.failPending();
      if (this.closed) return;
      if (opened) this.retryLater();
      else void this.afterFailedOpen();
    });
  }

  private receive(text: string): void {
    let msg: { id?: number; result?: unknown; error?: { code: string; message: string }; event?: string; data?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.event === 'string') {
      this.handlers.event(msg.event, msg.data);
      return;
    }
    const waiting = this.pending.get(msg.id ?? -1);
    if (!waiting) return;
    this.pending.delete(msg.id!);
    if (msg.error) waiting.reject(new ApiCallError(msg.error.code, msg.error.message));
    else waiting.resolve(msg.result);
  }

  /**
   * A browser cannot see why a WebSocket handshake failed. If the daemon still answers plain
   * HTTP, it is up and refused the handshake: the token is wrong. Otherwise it is down: retry.
   */
  private async afterFailedOpen(): Promise<void> {
    const daemonUp = await fetch('/', { method: 'HEAD', cache: 'no-store' }).then(
      (r) => r.ok,
      () => false,
    );
    if (this.closed) return;
    if (daemonUp) this.handlers.state({ kind: 'refused' });
    else this.retryLater();
  }

  private retryLater(): void {
    const inMs = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)]!;
    this.attempt++;
    this.handlers.state({ kind: 'reconnecting', inMs });
    this.retryTimer = setTimeout(() => this.connect(), inMs);
  }

  private failPending(): void {
    for (const p of this.pending.values()) p.reject(new ApiCallError('SYNCLINE_API_CLOSED', 'the connection to the daemon closed'));
    this.pending.clear();
  }
}

/** The message to show for a failed call; pairing and other newer methods may be missing. */
export function describeError(err: unknown, feature: string): string {
  if (err instanceof ApiCallError && err.code === UNKNOWN_METHOD) return `${feature} is not available in this daemon version.`;
  return err instanceof Error ? err.message : String(err);
}
