import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { REPO_ROOT, TSX_IMPORT } from './helpers/cli.js';

const run = promisify(execFile);
const MODULE = pathToFileURL(path.join(REPO_ROOT, 'packages/cli/src/heap-settings.ts')).href;

/** Runs `body` in a fresh Node process with the module imported as `heap`; returns its stdout as JSON. */
async function probe(body: string): Promise<unknown> {
  const script = `
import v8 from 'node:v8';
const heap = await import(${JSON.stringify(MODULE)});
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
const churn = () => { let keep = []; for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 200000) keep = []; } };
${body}`;
  const { stdout, stderr } = await run(process.execPath, ['--conditions=source', '--import', TSX_IMPORT, '--input-type=module', '-e', script], { cwd: REPO_ROOT });
  // V8 reports a flag it does not know on stderr and goes on.
  assert.equal(stderr, '');
  return JSON.parse(stdout);
}

describe('V8 heap settings of the CLI', function () {
  this.timeout(60_000);

  it('daemon: flags this Node accepts, and the young generation stops growing', async () => {
    const { before, after } = (await probe(`
heap.applyDaemonHeapSettings();
const before = newSpace();
churn();
console.log(JSON.stringify({ before, after: newSpace() }));`)) as { before: number; after: number };
    assert.ok(after <= before, `the young generation grew from ${before} to ${after} bytes`);
  });

  it('sync: nothing changes below BIG_TREE_ENTRIES; from there, flags this Node accepts, and the young generation stops growing', async () => {
    const { small, before, after } = (await probe(`
heap.favourSmallHeapFrom(heap.BIG_TREE_ENTRIES - 1);
churn();
const small = newSpace();
heap.favourSmallHeapFrom(heap.BIG_TREE_ENTRIES);
heap.favourSmallHeapFrom(heap.BIG_TREE_ENTRIES * 10);
const before = newSpace();
churn();
console.log(JSON.stringify({ small, before, after: newSpace() }));`)) as { small: number; before: number; after: number };
    assert.ok(small > 8 * 1024 * 1024, `without the flags the young generation grows as V8 likes (was ${small} bytes)`);
    assert.ok(after <= before, `the young generation grew from ${before} to ${after} bytes`);
  });
});
