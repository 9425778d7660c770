import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { REPO_ROOT, TSX_IMPORT } from './helpers/cli.js';

const run = promisify(execFile);
const MODULE = pathToFileURL(path.join(REPO_ROOT, 'packages/cli/src/daemon-heap.ts')).href;

/**
 * Applies the daemon's V8 settings in a fresh process, then allocates a lot of short-lived
 * garbage: the young generation must keep the size it had (V8 would grow it to 32 MiB).
 */
const PROBE = `
import v8 from 'node:v8';
const { applyDaemonHeapSettings } = await import(${JSON.stringify(MODULE)});
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
applyDaemonHeapSettings();
const before = newSpace();
let keep = [];
for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 200000) keep = []; }
console.log(JSON.stringify({ before, after: newSpace() }));
`;

describe('the daemon heap settings', function () {
  it('are flags this Node accepts (nothing on stderr), and stop the young generation from growing', async function () {
    const { stdout, stderr } = await run(process.execPath, ['--conditions=source', '--import', TSX_IMPORT, '--input-type=module', '-e', PROBE], { cwd: REPO_ROOT });
    assert.equal(stderr, '');
    const { before, after } = JSON.parse(stdout) as { before: number; after: number };
    assert.ok(after <= before, `the young generation grew from ${before} to ${after} bytes`);
  });
});
