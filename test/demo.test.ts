import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

describe('syncline demo', function () {
  this.timeout(120_000);
  it('pairs two local nodes, syncs a folder, shows an edit arriving, and cleans up', async () => {
    const { dir, cleanup } = await tempDir('syncline-demo-test-');
    try {
      const r = await runCli(['demo', '--once', '--dir', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /pairing code \d-[a-z]+-[a-z]+-[a-z]+/);
      assert.match(r.stdout, /paired/);
      assert.match(r.stdout, /bob has the folder/);
      assert.match(r.stdout, /dashboard \(alice\): http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}/);
      assert.match(r.stdout, /arrives on bob in \d+ ms/);
      assert.deepEqual(await readdir(dir), [], 'the demo removed its temporary homes and folders');
      assert.ok(existsSync(dir));
    } finally {
      await cleanup();
    }
  });
});
