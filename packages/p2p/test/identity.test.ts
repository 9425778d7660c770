import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deviceIdOf, IdentityKeyInvalidError, IdentityKeyPermissionsError, loadOrCreateIdentity } from '../src/index.js';
import { tempDir } from '../../../test/helpers/tmp.js';

describe('p2p identity', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir('syncline-identity-')));
  afterEach(() => cleanup());

  it('creates an Ed25519 key 0600 in a 0700 home on first use and loads the same one afterwards', async () => {
    const home = path.join(dir, 'nested', 'home');
    const first = await loadOrCreateIdentity(home);
    assert.match(first.deviceId, /^12D3KooW[1-9A-HJ-NP-Za-km-z]+$/, 'an Ed25519 peer ID');
    assert.equal((await stat(first.keyPath)).mode & 0o777, 0o600);
    assert.equal((await stat(home)).mode & 0o777, 0o700);
    const keyBytes = await readFile(first.keyPath);
    const again = await loadOrCreateIdentity(home);
    assert.equal(again.deviceId, first.deviceId);
    assert.deepEqual(await readFile(first.keyPath), keyBytes, 'loading does not rewrite the key');
    assert.equal(await deviceIdOf(home), first.deviceId);
  });

  it('gives different homes different device IDs, and concurrent first starts agree on one', async () => {
    const [a, b] = await Promise.all([loadOrCreateIdentity(path.join(dir, 'a')), loadOrCreateIdentity(path.join(dir, 'b'))]);
    assert.notEqual(a.deviceId, b.deviceId);
    const racers = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateIdentity(path.join(dir, 'race'))));
    assert.equal(new Set(racers.map((r) => r.deviceId)).size, 1);
    assert.equal(await deviceIdOf(path.join(dir, 'race')), racers[0]!.deviceId);
  });

  it('refuses a key readable by group or others, saying to chmod 600', async () => {
    const home = path.join(dir, 'home');
    const { keyPath, deviceId } = await loadOrCreateIdentity(home);
    for (const mode of [0o640, 0o604, 0o644]) {
      await chmod(keyPath, mode);
      await assert.rejects(loadOrCreateIdentity(home), (err: unknown) => {
        assert.ok(err instanceof IdentityKeyPermissionsError);
        assert.equal(err.code, 'SYNCLINE_IDENTITY_KEY_PERMISSIONS');
        assert.match(err.message, /chmod 600/);
        assert.ok(err.message.includes(keyPath));
        return true;
      });
    }
    await chmod(keyPath, 0o600);
    assert.equal(await deviceIdOf(home), deviceId);
  });

  it('refuses a key file that is not a libp2p Ed25519 key instead of replacing it', async () => {
    const home = path.join(dir, 'home');
    await mkdir(home, { mode: 0o700 });
    const keyPath = path.join(home, 'identity.key');
    await writeFile(keyPath, 'not a key', { mode: 0o600 });
    await assert.rejects(loadOrCreateIdentity(home), (err: unknown) => err instanceof IdentityKeyInvalidError && err.code === 'SYNCLINE_IDENTITY_KEY_INVALID');
    assert.equal(await readFile(keyPath, 'utf8'), 'not a key');
  });
});
