import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BIG_TREE_ENTRIES } from '../packages/cli/src/memory.js';
import { REPO_ROOT, TSX_IMPORT } from './helpers/cli.js';

describe('CLI heap settings for big trees', () => {
  it('are V8 flags this Node knows (an unknown one would print a warning on every big sync)', () => {
    const script = `
      import v8 from 'node:v8';
      import { favourSmallHeapFrom } from './packages/cli/src/memory.ts';
      favourSmallHeapFrom(${BIG_TREE_ENTRIES - 1});
      favourSmallHeapFrom(${BIG_TREE_ENTRIES});
      favourSmallHeapFrom(${BIG_TREE_ENTRIES * 10});
      console.log('ok');
    `;
    const run = spawnSync(process.execPath, ['--conditions=source', '--import', TSX_IMPORT, '--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(run.stderr, '');
    assert.equal(run.stdout.trim(), 'ok');
    assert.equal(run.status, 0);
  });
});
