import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describeDisk, describeIndex, makeReplica, STORE_KINDS, type ReplicaFixture } from './helpers/replica-fixture.js';
import { fastCheckSeed } from './helpers/seeded-bytes.js';

/**
 * A small universe of paths, so that operations collide: files become directories and back.
 * Some names sort between 'a' and 'a/…' ('-' and '.' come before '/'), and two sort
 * differently in UTF-16 and in code-point order, as the walk must follow the store's order.
 */
const PATHS = ['a', 'b', 'a/x', 'a/y', 'a/x/deep', 'b/z', 'a.txt', 'a-b/c', 'a0', '😀', 'Ａ/q'];

type Op =
  | { readonly op: 'write'; readonly path: string; readonly content: string }
  | { readonly op: 'mkdir'; readonly path: string }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'chmod'; readonly path: string; readonly executable: boolean }
  | { readonly op: 'symlink'; readonly path: string; readonly target: string }
  | { readonly op: 'scan'; readonly full: boolean };

/** Whether the simulated watcher also reports the parent directories an operation created. */
type Reported = { readonly parentsReported: boolean };

const opArb: fc.Arbitrary<Op & Reported> = fc.oneof(
  fc.record({ op: fc.constant('write' as const), path: fc.constantFrom(...PATHS), content: fc.string({ maxLength: 20 }), parentsReported: fc.boolean() }),
  fc.record({ op: fc.constant('mkdir' as const), path: fc.constantFrom(...PATHS), parentsReported: fc.boolean() }),
  fc.record({ op: fc.constant('remove' as const), path: fc.constantFrom(...PATHS), parentsReported: fc.boolean() }),
  fc.record({ op: fc.constant('chmod' as const), path: fc.constantFrom(...PATHS), executable: fc.boolean(), parentsReported: fc.boolean() }),
  fc.record({ op: fc.constant('symlink' as const), path: fc.constantFrom(...PATHS), target: fc.constantFrom('a', '../outside', 'b/z', 'missing'), parentsReported: fc.boolean() }),
  fc.record({ op: fc.constant('scan' as const), full: fc.boolean(), parentsReported: fc.boolean() }),
);

/** Makes room for `relPath`: removes whatever non-directory sits on an ancestor, and the path itself. */
async function clear(root: string, relPath: string): Promise<void> {
  const parts = relPath.split('/');
  for (let i = 1; i < parts.length; i++) {
    const ancestor = path.join(root, ...parts.slice(0, i));
    const st = await lstat(ancestor).catch(() => undefined);
    if (st && !st.isDirectory()) await rm(ancestor);
  }
  await mkdir(path.dirname(path.join(root, relPath)), { recursive: true });
  await rm(path.join(root, relPath), { recursive: true, force: true });
}

/** Applies an operation; returns the paths a watcher would report for it. */
async function apply(r: ReplicaFixture, op: Exclude<Op, { op: 'scan' }> & Reported): Promise<string[]> {
  const abs = r.abs(op.path);
  const parents = op.path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  const touched = op.parentsReported ? [op.path, ...parents] : [op.path];
  switch (op.op) {
    case 'write':
      await clear(r.root, op.path);
      await writeFile(abs, op.content);
      return touched;
    case 'mkdir':
      await clear(r.root, op.path);
      await mkdir(abs);
      return touched;
    case 'remove':
      if (!(await lstat(abs).catch(() => undefined))) return [];
      await rm(abs, { recursive: true });
      return [op.path];
    case 'chmod': {
      const st = await lstat(abs).catch(() => undefined);
      if (!st?.isFile()) return [];
      await chmod(abs, op.executable ? 0o755 : 0o644);
      return [op.path];
    }
    case 'symlink':
      await clear(r.root, op.path);
      await symlink(op.target, abs);
      return touched;
  }
}

for (const kind of STORE_KINDS) {
  describe(`scanReplica against a model (${kind.name})`, () => {
    const seed = fastCheckSeed();
    it(`leaves the index describing the disk after any edits and full or path-limited scans (fast-check seed ${seed})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
          const r = await makeReplica(kind);
          try {
            let touched: string[] = [];
            const scanAndCheck = async (full: boolean) => {
              const result = await r.scan(full ? {} : { paths: touched });
              touched = [];
              assert.deepEqual(result.problems, []);
              assert.deepEqual(describeIndex(await r.all()), describeDisk(r.root));
            };
            for (const op of ops) {
              if (op.op === 'scan') await scanAndCheck(op.full);
              else touched.push(...(await apply(r, op)));
            }
            await scanAndCheck(false);
            const again = await r.scan();
            assert.deepEqual(again.changed, [], 'a full scan after path-limited ones finds nothing they missed');
            const all = await r.all();
            const seqs = [...all.values()].map((e) => e.record.seq);
            assert.equal(new Set(seqs).size, seqs.length, 'sequence numbers are unique');
          } finally {
            await r.close();
          }
        }),
        { seed, numRuns: Number(process.env.FC_RUNS ?? 25) },
      );
    });
  });
}
