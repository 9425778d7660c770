import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DiskReplica } from '@syncline/replica';
import { syncPair } from '@syncline/engine';
import { makeReplicas, type ReplicaSet } from './helpers/replicas.js';

/** The replica, with its prepareAhead calls counted. */
function counting(replica: DiskReplica): { replica: DiskReplica; calls: () => number } {
  let calls = 0;
  const spy = Object.create(replica) as DiskReplica;
  spy.prepareAhead = (...args) => {
    calls++;
    return replica.prepareAhead(...args);
  };
  return { replica: spy, calls: () => calls };
}

const tmpNames = (root: string) => readdir(path.join(root, '.syncline/tmp')).catch(() => [] as string[]);

describe('session rounds: the next round is prepared while the previous one is applied', () => {
  let set: ReplicaSet;
  beforeEach(async () => {
    set = await makeReplicas(2);
    const src = set.roots[0]!;
    for (let d = 0; d < 4; d++) {
      await mkdir(path.join(src, `d${d}`));
      for (let f = 0; f < 6; f++) {
        // Equal contents in every round: a round applied and the next prepared share hashes.
        const content = f % 2 === 0 ? 'same in every round\n' : `file ${d}/${f}\n`;
        await writeFile(path.join(src, `d${d}`, `f${f}.txt`), content);
      }
      await writeFile(path.join(src, `d${d}`, 'empty'), '');
    }
    await set.replicas[0]!.scan();
    await set.replicas[1]!.scan();
  });
  afterEach(() => set.close());

  it('uses files prepared ahead, writes every file right and leaves nothing in tmp', async () => {
    const dst = counting(set.replicas[1]!);
    const [, rb] = await syncPair(set.replicas[0]!, dst.replica, { batchSize: 5 });
    assert.deepEqual(rb.problems, []);
    assert.ok(dst.calls() > 0, 'some round was prepared ahead');
    for (let d = 0; d < 4; d++) {
      for (let f = 0; f < 6; f++) {
        const p = path.join(`d${d}`, `f${f}.txt`);
        assert.equal(await readFile(path.join(set.roots[1]!, p), 'utf8'), await readFile(path.join(set.roots[0]!, p), 'utf8'), p);
      }
      assert.equal((await readFile(path.join(set.roots[1]!, `d${d}`, 'empty'))).length, 0);
    }
    assert.deepEqual(await tmpNames(set.roots[1]!), []);
    const again = await syncPair(set.replicas[0]!, set.replicas[1]!, { batchSize: 5 });
    assert.equal(again[1].applied, 0, 'converged');
  });

  it('a session cut while a round is prepared ahead leaves no file prepared ahead behind', async () => {
    const dst = counting(set.replicas[1]!);
    let planned = 0;
    await assert.rejects(
      syncPair(set.replicas[0]!, dst.replica, {
        batchSize: 5,
        failpoint: (side, stage) => {
          if (side === 1 && stage === 'exchanged' && ++planned === 4) throw new Error('cut');
        },
      }),
    );
    assert.ok(dst.calls() > 0, 'some round was prepared ahead');
    assert.deepEqual((await tmpNames(set.roots[1]!)).filter((n) => n.includes('.ahead-')), []);
    const [, rb] = await syncPair(set.replicas[0]!, set.replicas[1]!, { batchSize: 5 });
    assert.deepEqual(rb.problems, []);
    assert.equal(await readFile(path.join(set.roots[1]!, 'd3/f5.txt'), 'utf8'), 'file 3/5\n');
  });
});
