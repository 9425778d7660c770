import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../../test/helpers/cli.js';
import { tempDir } from '../../../test/helpers/tmp.js';
import { openStore, ReplicaBusyError, type LevelStore } from '../src/index.js';

const CHILD = fileURLToPath(new URL('./fixtures/open-store-child.ts', import.meta.url));

interface ChildOutcome {
  ok: boolean;
  replicaId?: string;
  name?: string;
  code?: string;
  message?: string;
}

async function openInChildProcess(root: string): Promise<ChildOutcome> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD, root], {
    cwd: REPO_ROOT,
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim()) as ChildOutcome;
}

describe('LevelStore lock', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let store: LevelStore;

  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir('syncline-store-lock-'));
    store = await openStore(root);
  });

  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('refuses a second open in this process with ReplicaBusyError, and allows it after close', async () => {
    await assert.rejects(openStore(root), (err: unknown) => {
      assert.ok(err instanceof ReplicaBusyError);
      assert.equal(err.code, 'SYNCLINE_REPLICA_BUSY');
      assert.equal(err.replicaRoot, root);
      assert.ok(err.message.includes(root), err.message);
      assert.match(err.message, /another syncline process is using it/);
      return true;
    });
    const id = store.replicaId;
    await store.close();
    store = await openStore(root);
    assert.equal(store.replicaId, id);
  });

  it('refuses another process while this one holds the replica, and lets it in afterwards', async () => {
    const refused = await openInChildProcess(root);
    assert.equal(refused.ok, false);
    assert.equal(refused.name, 'ReplicaBusyError');
    assert.equal(refused.code, 'SYNCLINE_REPLICA_BUSY');
    assert.ok(refused.message?.includes(root), refused.message);

    const id = store.replicaId;
    await store.close();
    const admitted = await openInChildProcess(root);
    assert.deepEqual(admitted, { ok: true, replicaId: id });
  });
});
