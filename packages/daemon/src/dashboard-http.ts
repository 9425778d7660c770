import { createReadStream } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:web -w @syncline/daemon` puts the dashboard (packages/daemon/dist-web). */
export const DASHBOARD_DIR = fileURLToPath(new URL('../dist-web/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The page may load only its own files and talk only to the daemon on loopback. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * DNS-rebinding protection: a page from another site that made its name resolve to 127.0.0.1
 * still sends its own name as Host, so only the loopback names with this server's port pass.
 */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}`;
}

/** A browser's Origin for a page this server served (for the control API's WebSocket upgrade). */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (!origin) return false;
  const o = origin.toLowerCase();
  return o === `http://127.0.0.1:${port}` || o === `http://localhost:${port}`;
}

/**
 * The file under `root` that a request path names, or undefined when it names nothing servable:
 * `/` is index.html; `..`, `.`, dot-files, backslashes, NUL and bad escapes never resolve.
 */
export function staticFileFor(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.length === 0) return path.join(root, 'index.html');
  if (segments.some((s) => s.startsWith('.'))) return undefined;
  const file = path.join(root, ...segments);
  const rel = path.relative(root, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return file;
}

function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function sendText(res: http.ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra });
  res.end(text + '\n');
}

/** A regular file inside root (no symlink out of it, no directory), with its size; else undefined. */
async function servableFile(root: string, file: string): Promise<{ size: number } | undefined> {
  const st = await lstat(file).catch(() => undefined);
  if (!st?.isFile()) return undefined;
  const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]).catch(() => [undefined, undefined]);
  if (!realRoot || !realFile || !realFile.startsWith(realRoot + path.sep)) return undefined;
  return { size: st.size };
}

export interface DashboardHandlerOptions {
  /** The built files (default: DASHBOARD_DIR). */
  readonly root?: string;
}

/**
 * Serves the dashboard's built files to the browser: GET and HEAD only, loopback Host names
 * only, no directory listings, strict security headers on every answer. The files hold no
 * secrets; all data comes through the control API's WebSocket, which checks the token.
 */
export function dashboardHandler(options: DashboardHandlerOptions = {}): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const root = path.resolve(options.root ?? DASHBOARD_DIR);
  return (req, res) => {
    void serve(root, req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'internal error');
      else res.destroy();
    });
  };
}

async function serve(root: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const port = req.socket.localPort ?? 0;
  if (!isAllowedHost(req.headers.host, port)) {
    sendText(res, 421, `This dashboard answers only at http://127.0.0.1:${port}/`);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
    return;
  }
  const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
  const file = staticFileFor(root, pathname);
  const found = file ? await servableFile(root, file) : undefined;
  if (!file || !found) {
    const index = await servableFile(root, path.join(root, 'index.html'));
    if (!index) sendText(res, 503, 'The dashboard is not built: run `npm run build:web -w @syncline/daemon`.');
    else sendText(res, 404, 'not found');
    return;
  }
  const immutable = pathname.startsWith('/assets/');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': contentTypeOf(file),
    'content-length': String(found.size),
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
