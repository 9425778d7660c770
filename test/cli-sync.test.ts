import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DiskReplica } from '@syncline/replica';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at /, 'no stack trace for a user error');

async function waitFor(cond: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('syncline sync / compare (real child processes)', function () {
  this.timeout(120_000);
  let dir: string;
  let cleanup: () => Promise<void>;
  let a: string;
  let b: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('syncline-cli-'));
    a = path.join(dir, 'a');
    b = path.join(dir, 'b');
    await mkdir(a);
    await mkdir(b);
  });
  afterEach(() => cleanup());

  it('--help lists the local commands', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /sync \[options\] <dirs\.\.\.>/);
    assert.match(r.stdout, /compare/);
  });

  it('syncs two folders both ways and prints a JSON summary', async () => {
    await writeFile(path.join(a, 'from-a.txt'), 'A\n');
    await mkdir(path.join(b, 'nested/deeper'), { recursive: true });
    await writeFile(path.join(b, 'nested/deeper/from-b.txt'), 'B\n');
    await writeFile(path.join(b, 'script.sh'), '#!/bin/sh\n', { mode: 0o755 });
    const r = await runCli(['sync', a, b, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.converged, true);
    assert.deepEqual(summary.problems, []);
    for (const root of [a, b]) {
      assert.equal(await readFile(path.join(root, 'from-a.txt'), 'utf8'), 'A\n');
      assert.equal(await readFile(path.join(root, 'nested/deeper/from-b.txt'), 'utf8'), 'B\n');
    }
    assert.equal((await stat(path.join(a, 'script.sh'))).mode & 0o111, 0o111, 'the executable bit travels');
  });

  it('converges three folders', async () => {
    const c = path.join(dir, 'c');
    await mkdir(c);
    await writeFile(path.join(a, '1'), '1');
    await writeFile(path.join(b, '2'), '2');
    await writeFile(path.join(c, '3'), '3');
    const r = await runCli(['sync', a, b, c]);
    assert.equal(r.code, 0, r.stderr);
    for (const root of [a, b, c]) assert.deepEqual((await readdir(root)).filter((n) => n !== '.syncline').sort(), ['1', '2', '3']);
  });

  it('compare shows the plan and changes no file', async () => {
    await writeFile(path.join(a, 'only-a.txt'), 'x');
    const r = await runCli(['compare', a, b]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /only-a\.txt\s+=\s+create/);
    assert.equal(existsSync(path.join(b, 'only-a.txt')), false);
    const j = await runCli(['compare', a, b, '--json']);
    const out = JSON.parse(j.stdout);
    assert.deepEqual(out.changes.map((c: { path: string; cells: string[] }) => [c.path, c.cells]), [['only-a.txt', ['=', 'create']]]);
  });

  it('exits 2 when a conflict copy was made', async () => {
    await writeFile(path.join(a, 'x.txt'), 'base');
    assert.equal((await runCli(['sync', a, b])).code, 0);
    await writeFile(path.join(a, 'x.txt'), 'from a');
    await writeFile(path.join(b, 'x.txt'), 'from b');
    const r = await runCli(['sync', a, b]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /conflict: kept the other version as x\.sync-conflict-/);
  });

  describe('clear errors, nothing touched', () => {
    const cases: [string, () => string[], RegExp][] = [
      ['a missing directory', () => ['sync', a, path.join(dir, 'nope')], /nope: no such directory/],
      ['a file where a directory is needed', () => ['sync', a, path.join(dir, 'file.txt')], /file\.txt: not a directory/],
      ['one folder inside another', () => ['sync', a, path.join(a, 'inner')], /lies inside/],
      ['the same folder twice', () => ['sync', a, a + '/'], /same directory/],
      ['a single folder', () => ['sync', a], /at least two/],
    ];
    for (const [name, args, message] of cases) {
      it(name, async () => {
        await writeFile(path.join(dir, 'file.txt'), 'not a dir');
        await mkdir(path.join(a, 'inner'), { recursive: true });
        const r = await runCli(args());
        assert.equal(r.code, 1);
        assert.match(r.stderr, message);
        noStack(r.stderr);
        assert.equal(existsSync(path.join(a, '.syncline')), false, 'no metadata was created');
      });
    }

    it('a folder in use by another process', async () => {
      const held = await DiskReplica.open(b);
      try {
        const r = await runCli(['sync', a, b]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /another syncline process/i);
        noStack(r.stderr);
      } finally {
        await held.close();
      }
    });
  });

  it('reports an unreadable file and still syncs the rest', async function () {
    await writeFile(path.join(a, 'secret.txt'), 'no read');
    await writeFile(path.join(a, 'fine.txt'), 'ok');
    await chmod(path.join(a, 'secret.txt'), 0o000);
    let args = ['sync', a, b];
    let prefix: string[] = [];
    if (process.getuid?.() === 0) {
      // Root reads anything: run the CLI as `nobody` so the permission bits bite.
      if (!existsSync('/usr/bin/setpriv')) this.skip();
      for (const p of [dir, a, b, path.join(a, 'fine.txt'), path.join(a, 'secret.txt')]) await chown(p, 65534, 65534);
      await letOthersReadCheckout();
      prefix = ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'];
    }
    const r = await runProcess([...prefix, process.execPath, '--conditions=source', '--import', 'tsx', path.join(REPO_ROOT, 'packages/cli/src/bin.ts'), ...args]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /secret\.txt/);
    noStack(r.stderr);
    assert.equal(await readFile(path.join(b, 'fine.txt'), 'utf8'), 'ok');
    assert.equal(existsSync(path.join(b, 'secret.txt')), false);
  });

  it('--watch keeps folders in sync until interrupted', async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', path.join(REPO_ROOT, 'packages/cli/src/bin.ts'), 'sync', a, b, '--watch'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    try {
      await waitFor(async () => /watching 2 folders/.test(out), 'the watcher to start');
      await writeFile(path.join(a, 'live.txt'), 'appeared');
      await waitFor(async () => existsSync(path.join(b, 'live.txt')) && (await readFile(path.join(b, 'live.txt'), 'utf8')) === 'appeared', 'live.txt to reach b');
      await writeFile(path.join(b, 'back.txt'), 'other way');
      await waitFor(async () => existsSync(path.join(a, 'back.txt')), 'back.txt to reach a');
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0, out);
    assert.match(out, /stopped/);
  });
});

/** `nobody` must be able to load the CLI: a fresh CI clone may sit in a 0700 temp dir. */
async function letOthersReadCheckout(): Promise<void> {
  for (let d = REPO_ROOT; d !== path.dirname(d); d = path.dirname(d)) {
    const mode = (await stat(d)).mode & 0o7777;
    if ((mode & 0o005) !== 0o005) {
      console.log(`    (making ${d} readable by others so the CLI can run as nobody)`);
      await chmod(d, mode | 0o005);
    }
  }
}

function runProcess(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
