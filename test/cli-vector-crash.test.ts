import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';
import { initVectorTree, readVectorTreeMetadata, scanVectorTree, syncVectorTrees, type VectorReplaceStep } from '../packages/replica/src/vector-tree/index.js';

const COMMON = { 'keep.txt': 'same', 'edit.txt': 'v1', 'gone.txt': 'bye', 'd/x': 'x' };
const CHANGED_A = { 'keep.txt': 'same', 'edit.txt': 'v2', d: 'd is a file now', 'n/new.txt': 'new' };
const B_TRASHED = { 'edit.txt': 'v1', 'gone.txt': 'bye', 'd/x': 'x' };

const STEPS: VectorReplaceStep[] = [
  'staging',
  'staged',
  'journal-written',
  'trashed',
  'trash-done',
  'pruned',
  'installed',
  'install-done',
  'target-metadata-written',
  'source-metadata-written',
  'staging-removed',
  'journal-removed',
];

// A real crash: a child process replacing B by A kills itself with SIGKILL at the
// first occurrence of a step (no catch, no finally runs); then the CLI runs the sync again.
const CRASHING_SYNC = `
const { syncVectorTrees } = await import(process.env.VT_MODULE);
await syncVectorTrees(process.env.VT_A, process.env.VT_B, {
  hook: (step) => { if (step === process.env.VT_CRASH_AT) process.kill(process.pid, 'SIGKILL'); },
});
`;

describe('syncline vector sync after a crash in the middle of a replacement', () => {
  let parent: string;
  let a: string;
  let b: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir: parent, cleanup } = await tempDir());
    a = path.join(parent, 'a');
    b = path.join(parent, 'b');
    await writeTree(a, COMMON);
    await writeTree(b, COMMON);
    await initVectorTree('A', a);
    await initVectorTree('B', b);
    assert.equal((await syncVectorTrees(a, b)).action, 'none');
    for (const rel of Object.keys(COMMON)) await rm(path.join(a, rel));
    await rm(path.join(a, 'd'), { recursive: true });
    await writeTree(a, CHANGED_A);
  });
  afterEach(() => cleanup());

  for (const step of STEPS) {
    it(`killed at "${step}": the re-run says what it finished and leaves a correct tree, old files in the trash`, async () => {
      const signal = await crashingSync(a, b, step);
      assert.equal(signal, 'SIGKILL', `the child was expected to kill itself at ${step}`);

      const r = await runCli(['vector', 'sync', a, b]);
      assert.equal(r.code, 0, r.stderr);
      const trashRoot = path.join(parent, '.b.vector-sync-trash');
      const buckets = await readdir(trashRoot);
      assert.equal(buckets.length, 1);
      const bucket = path.join(trashRoot, buckets[0]!);
      if (step === 'staging' || step === 'staged') {
        assert.match(r.stderr, new RegExp(`^syncline: removed ${esc(parent)}/\\.b\\.vector-sync-staging-[0-9a-f]{12}, left by an interrupted sync before it changed ${esc(b)}\n$`));
        assert.match(r.stdout, new RegExp(`^replaced ${esc(b)} by ${esc(a)} \\(5 files: 3 written, 2 removed\\)`));
      } else if (step === 'journal-removed') {
        assert.equal(r.stderr, '');
        assert.match(r.stdout, /^nothing to do: /);
      } else {
        assert.match(
          r.stderr,
          new RegExp(
            `^syncline: finished an interrupted replacement of ${esc(b)} by ${esc(a)} \\(started [^)]+\\): 3 written, 2 removed; previous files kept in ${esc(bucket)}\n$`,
          ),
        );
        assert.match(r.stdout, /^nothing to do: /);
      }

      assert.deepEqual(await readTree(b), CHANGED_A);
      assert.deepEqual(await readTree(a), CHANGED_A);
      assert.deepEqual(await readTree(bucket), B_TRASHED);
      const files = await scanVectorTree(a);
      assert.deepEqual((await readVectorTreeMetadata(a)).metadata, { id: 'A', version_vector: { A: 2, B: 1 }, file_hashes: files });
      assert.deepEqual((await readVectorTreeMetadata(b)).metadata, { id: 'B', version_vector: { A: 2, B: 1 }, file_hashes: files });
      assert.deepEqual((await readdir(parent)).sort(), ['.b.vector-sync-trash', 'a', 'b']);
    });
  }
});

function crashingSync(a: string, b: string, step: VectorReplaceStep): Promise<NodeJS.Signals | null> {
  const module = pathToFileURL(path.join(REPO_ROOT, 'packages/replica/src/vector-tree/index.ts')).href;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', CRASHING_SYNC], {
      cwd: REPO_ROOT,
      env: { ...process.env, VT_MODULE: module, VT_A: a, VT_B: b, VT_CRASH_AT: step },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => (signal === null ? reject(new Error(`child exited ${code}: ${stderr}`)) : resolve(signal)));
  });
}

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  await mkdir(root, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), content);
  }
}

async function readTree(root: string, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const p = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (p === '.vector-sync') continue;
    if (entry.isDirectory()) Object.assign(out, await readTree(root, p));
    else out[p] = await readFile(path.join(root, p), 'utf8');
  }
  return out;
}
