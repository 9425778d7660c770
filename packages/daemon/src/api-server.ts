import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { SynclineError } from '@syncline/core';
import { log } from '@syncline/engine';
import { isAllowedOrigin } from './dashboard-http.js';

export type ApiHandler = (params: Record<string, unknown>) => Promise<unknown>;

const MAX_MESSAGE_BYTES = 1 << 20;

function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The control API: a WebSocket server on 127.0.0.1 only. Every connection presents the token
 * (`?token=` or `Authorization: Bearer`); requests are `{ id, method, params }`, replies
 * `{ id, result }` or `{ id, error: { code, message } }`, and events `{ event, data }` go to
 * every connected client. Plain HTTP requests go to `httpHandler` (the dashboard's files).
 */
export class ApiServer {
  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly methods = new Map<string, ApiHandler>();
  private stopped = false;

  constructor(
    private readonly token: string,
    httpHandler?: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  ) {
    this.server = http.createServer((req, res) => {
      if (httpHandler) httpHandler(req, res);
      else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found\n');
      }
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const port = (this.server.address() as AddressInfo).port;
      if (req.headers.origin !== undefined && !isAllowedOrigin(req.headers.origin, port)) {
        log.warn({ origin: req.headers.origin }, 'control API: refused a connection from another site');
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const bearer = req.headers.authorization?.replace(/^Bearer\s+/i, '');
      if (url.pathname !== '/api' || !(tokenMatches(url.searchParams.get('token'), this.token) || tokenMatches(bearer, this.token))) {
        log.warn({ path: url.pathname, remote: req.socket.remoteAddress }, 'control API: refused a connection without the right token');
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws));
    });
  }

  method(name: string, handler: ApiHandler): void {
    this.methods.set(name, handler);
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  broadcast(event: string, data: unknown): void {
    const text = JSON.stringify({ event, data });
    for (const ws of this.wss.clients) if (ws.readyState === ws.OPEN) ws.send(text);
  }

  private serve(ws: WebSocket): void {
    ws.on('message', async (raw) => {
      let id: unknown = null;
      try {
        const msg = JSON.parse(String(raw)) as unknown;
        if (typeof msg !== 'object' || msg === null) throw new SynclineError('SYNCLINE_API_BAD_REQUEST', 'a request is a JSON object');
        const { id: rid, method, params } = msg as Record<string, unknown>;
        id = rid ?? null;
        const handler = typeof method === 'string' ? this.methods.get(method) : undefined;
        if (!handler) throw new SynclineError('SYNCLINE_API_UNKNOWN_METHOD', `unknown method ${JSON.stringify(method)}`);
        const p = params === undefined ? {} : params;
        if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new SynclineError('SYNCLINE_API_BAD_REQUEST', 'params must be an object');
        const result = await handler(p as Record<string, unknown>);
        ws.send(JSON.stringify({ id, result: result ?? null }));
      } catch (err) {
        const code = err instanceof SynclineError ? err.code : 'SYNCLINE_INTERNAL';
        const message = err instanceof Error ? err.message : String(err);
        if (!(err instanceof SynclineError)) log.error({ err: message }, 'control API: request failed');
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, error: { code, message } }));
      }
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
