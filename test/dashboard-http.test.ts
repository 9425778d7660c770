import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import WebSocket from 'ws';
import { ApiServer } from '../packages/daemon/src/api-server.js';
import { DASHBOARD_CSP, dashboardHandler, isAllowedHost, isAllowedOrigin, staticFileFor } from '../packages/daemon/src/dashboard-http.js';
import { tempDir } from './helpers/tmp.js';

const TOKEN = 'c'.repeat(64);

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request (no URL normalisation by a client library), with any Host header. */
function request(port: number, target: string, options: { method?: string; host?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard files over HTTP (dashboard-http.ts)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let root: string;
  let api: ApiServer;
  let port: number;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('syncline-dash-http-'));
    root = path.join(dir, 'dist-web');
    await mkdir(path.join(root, 'assets'), { recursive: true });
    await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Syncline</title>');
    await writeFile(path.join(root, 'assets/app-1234.js'), 'console.log(1)');
    await writeFile(path.join(root, 'assets/app-1234.css'), 'body{}');
    await writeFile(path.join(root, 'favicon.svg'), '<svg/>');
    await writeFile(path.join(root, '.hidden'), 'secret');
    await writeFile(path.join(dir, 'outside.txt'), 'outside the root');
    await symlink(path.join(dir, 'outside.txt'), path.join(root, 'assets/link.txt'));
    api = new ApiServer(TOKEN, dashboardHandler({ root }));
    port = await api.listen(0);
  });
  afterEach(async () => {
    await api.stop();
    await cleanup();
  });

  it('serves index.html for / with the right type and strict security headers', async () => {
    const r = await request(port, '/');
    assert.equal(r.status, 200);
    assert.equal(r.body, '<!doctype html><title>Syncline</title>');
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['content-security-policy'], DASHBOARD_CSP);
    assert.match(DASHBOARD_CSP, /default-src 'none'/);
    assert.match(DASHBOARD_CSP, /script-src 'self'(;|$)/);
    assert.match(DASHBOARD_CSP, /connect-src 'self' ws:\/\/127\.0\.0\.1:\*/);
    assert.match(DASHBOARD_CSP, /frame-ancestors 'none'/);
    assert.doesNotMatch(DASHBOARD_CSP, /unsafe-inline|unsafe-eval|\bhttps?:/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['cache-control'], 'no-cache');
  });

  it('serves built assets with their content types; hashed assets are cached', async () => {
    const js = await request(port, '/assets/app-1234.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(String(js.headers['cache-control']), /immutable/);
    assert.equal((await request(port, '/assets/app-1234.css')).headers['content-type'], 'text/css; charset=utf-8');
    assert.equal((await request(port, '/favicon.svg')).headers['content-type'], 'image/svg+xml');
    const head = await request(port, '/assets/app-1234.js', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String('console.log(1)'.length));
    assert.equal(head.body, '');
  });

  it('never leaves the root: traversal, encoded traversal, dot-files, symlinks, directories', async () => {
    for (const target of ['/../outside.txt', '/assets/../../outside.txt', '/%2e%2e/outside.txt', '/assets/%2E%2E%2F%2E%2E%2Foutside.txt', '/..%5c..%5coutside.txt', '/.hidden', '/assets/link.txt', '/assets', '/assets/', '/%00', '/%E0%A4%A', '/nope.js']) {
      const r = await request(port, target);
      assert.ok(r.status === 404 || r.status === 400, `${target} → ${r.status}`);
      assert.doesNotMatch(r.body, /outside the root|secret|app-1234/, target);
      assert.equal(r.headers['content-security-policy'], DASHBOARD_CSP, `${target} has the headers too`);
    }
  });

  it('refuses a Host that is not this loopback address and port (DNS rebinding)', async () => {
    for (const host of ['evil.example:' + port, `127.0.0.1:${port + 1}`, '127.0.0.1', `localhost.evil.example:${port}`, `[::1]:${port}`]) {
      const r = await request(port, '/', { host });
      assert.equal(r.status, 421, host);
      assert.doesNotMatch(r.body, /Syncline<\/title>/);
    }
    assert.equal((await request(port, '/', { host: `localhost:${port}` })).status, 200);
    assert.equal((await request(port, '/', { host: `LOCALHOST:${port}` })).status, 200);
    assert.equal(isAllowedHost(undefined, port), false);
  });

  it('knows which Origins are this dashboard’s own', () => {
    assert.equal(isAllowedOrigin('http://127.0.0.1:8384', 8384), true);
    assert.equal(isAllowedOrigin('http://localhost:8384', 8384), true);
    for (const o of ['http://127.0.0.1:8385', 'https://127.0.0.1:8384', 'http://evil.example', 'null', undefined]) assert.equal(isAllowedOrigin(o, 8384), false, String(o));
  });

  it('answers only GET and HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const r = await request(port, '/', { method });
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.allow, 'GET, HEAD');
    }
  });

  it('says how to build the dashboard when it is not built', async () => {
    const bare = new ApiServer(TOKEN, dashboardHandler({ root: path.join(dir, 'missing') }));
    const p = await bare.listen(0);
    try {
      const r = await request(p, '/');
      assert.equal(r.status, 503);
      assert.match(r.body, /npm run build:web/);
    } finally {
      await bare.stop();
    }
  });

  it('keeps the control API behind the token on the same port', async () => {
    const refused = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${'d'.repeat(64)}`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('a wrong token was accepted')));
      ws.on('error', () => undefined);
    });
    assert.equal(refused, 401);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${TOKEN}`);
    await new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject));
    ws.close();
  });

  it('maps request paths to files without touching the disk', () => {
    assert.equal(staticFileFor('/r', '/'), path.join('/r', 'index.html'));
    assert.equal(staticFileFor('/r', '/assets/a.js'), path.join('/r', 'assets/a.js'));
    assert.equal(staticFileFor('/r', '//assets//a.js'), path.join('/r', 'assets/a.js'));
    for (const bad of ['/..', '/a/../../b', '/%2e%2e/b', '/.git/config', '/a\\b', '/%5c', '/a%00', '/%zz', 'relative']) {
      assert.equal(staticFileFor('/r', bad), undefined, bad);
    }
  });
});
