import assert from 'node:assert/strict';
import { memoryChannelPair, runSession, PROTOCOL_VERSION } from '@syncline/engine';
import { makeReplicas } from './helpers/replicas.js';

describe('a session whose peer goes silent', function () {
  this.timeout(30_000);
  it('ends after the idle timeout instead of blocking its folder, and seals nothing', async () => {
    const set = await makeReplicas(1);
    try {
      const [mine, theirs] = memoryChannelPair();
      const started = Date.now();
      const session = runSession(set.replicas[0]!, mine, { folder: 'docs', role: 'initiator', idleTimeoutMs: 300 });
      // The "peer" says hello, then nothing more: like a link cut without a FIN.
      assert.deepEqual(((await theirs.receive()) as { t: string }).t, 'hello');
      await theirs.send({ t: 'hello', protocol: PROTOCOL_VERSION, folder: 'docs', replica: 'silentpeer' });
      await assert.rejects(session, (err: Error & { code?: string }) => err.code === 'SYNCLINE_SESSION_ABORTED' && /sent nothing/.test(err.message));
      assert.ok(Date.now() - started < 5_000);
      assert.deepEqual(await set.replicas[0]!.store.syncObjects('silentpeer'), []);
    } finally {
      await set.close();
    }
  });
});
