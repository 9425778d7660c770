import { readFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { SynclineError } from '@syncline/core';
import { homeFiles } from './home.js';
import { readToken } from './token.js';
import { ApiError, DaemonNotRunningError } from './errors.js';

export interface RuntimeInfo {
  pid: number;
  apiPort: number;
  deviceId: string;
}

export async function readRuntime(home: string): Promise<RuntimeInfo | undefined> {
  try {
    const v = JSON.parse(await readFile(homeFiles(home).runtime, 'utf8')) as Partial<RuntimeInfo>;
    if (!Number.isSafeInteger(v.pid) || !Number.isSafeInteger(v.apiPort) || typeof v.deviceId !== 'string') return undefined;
    try {
      process.kill(v.pid!, 0);
    } catch {
      return undefined; // a stale file from a daemon that died
    }
    return v as RuntimeInfo;
  } catch {
    return undefined;
  }
}

/** A connection to a running daemon's control API. */
export class ApiClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(event: string, data: unknown) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { id?: number; result?: unknown; error?: { code: string; message: string }; event?: string; data?: unknown };
      if (msg.event) {
        for (const l of this.listeners) l(msg.event, msg.data);
        return;
      }
      const p = this.pending.get(msg.id ?? -1);
      if (!p) return;
      this.pending.delete(msg.id!);
      if (msg.error) p.reject(new ApiError(msg.error.code, msg.error.message));
      else p.resolve(msg.result);
    });
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new SynclineError('SYNCLINE_API_CLOSED', 'the daemon closed the connection'));
      this.pending.clear();
    });
  }

  static async connect(home: string): Promise<ApiClient> {
    const runtime = await readRuntime(home);
    const token = await readToken(homeFiles(home).token);
    if (!runtime || !token) throw new DaemonNotRunningError(home);
    const ws = new WebSocket(`ws://127.0.0.1:${runtime.apiPort}/api`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', () => reject(new DaemonNotRunningError(home)));
      ws.once('unexpected-response', (_req, res) => reject(new SynclineError('SYNCLINE_API_REFUSED', `the daemon refused the connection (HTTP ${res.statusCode}); is ${homeFiles(home).token} the right token?`)));
    });
    return new ApiClient(ws);
  }

  call<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  onEvent(listener: (event: string, data: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.ws.close();
  }
}
