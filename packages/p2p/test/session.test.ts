import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runSession, type Channel, type SessionResult } from '@syncline/engine';
import { makeReplicas, type ReplicaSet } from '../../../test/helpers/replicas.js';
import { startNodes, treeOf, trustEachOther, waitFor, type TestNode } from './helpers.js';

/** Counts the messages of each kind that arrive through `channel`. */
function counting(channel: Channel, counts: Map<string, number>): Channel {
  return {
    send: (m) => channel.send(m),
    close: (reason) => channel.close(reason),
    async receive() {
      const m = await channel.receive();
      const kind = String((m as { t?: unknown }).t);
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
      return m;
    },
  };
}

describe('p2p: an engine session over the network', function () {
  this.timeout(120_000);
  let nodes: TestNode[];
  let stopNodes: () => Promise<void>;
  let replicas: ReplicaSet;

  beforeEach(async () => {
    ({ nodes, stop: stopNodes } = await startNodes(2));
    trustEachOther(...nodes);
    replicas = await makeReplicas(2);
  });
  afterEach(async () => {
    await stopNodes();
    await replicas.close();
  });

  it('makes two replicas on two nodes identical, including a 12 MiB file fetched in several chunk requests', async () => {
    const [a, b] = nodes as [TestNode, TestNode];
    const [rootA, rootB] = replicas.roots as [string, string];
    const [replicaA, replicaB] = replicas.replicas;
    const big = randomBytes(12 * 1024 * 1024);
    await mkdir(path.join(rootA, 'media', 'raw'), { recursive: true });
    await writeFile(path.join(rootA, 'media', 'raw', 'big.bin'), big);
    await writeFile(path.join(rootA, 'notes.txt'), 'from A\n');
    await mkdir(path.join(rootB, 'docs'));
    await writeFile(path.join(rootB, 'docs', 'report.md'), '# from B\n');
    for (let i = 0; i < 20; i++) await writeFile(path.join(rootB, 'docs', `small-${i}.txt`), randomBytes(100 + i * 500));
    await replicaA!.scan();
    await replicaB!.scan();

    let responder: Promise<SessionResult> | undefined;
    b.node.handleSync(async ({ peer, folder, channel }) => {
      assert.equal(peer, a.node.deviceId);
      responder = runSession(replicaB!, channel, { folder, role: 'responder' });
      await responder;
    });
    await a.node.connect(b.node.deviceId, b.node.addresses());
    const requestsFromB = new Map<string, number>();
    const channel = counting(await a.node.openSync(b.node.deviceId, 'shared'), requestsFromB);
    const initiator = await runSession(replicaA!, channel, { folder: 'shared', role: 'initiator' });
    await waitFor(() => responder !== undefined, 'the responder to start');
    const responded = await responder!;

    assert.deepEqual(initiator.problems, []);
    assert.deepEqual(responded.problems, []);
    assert.ok(initiator.sealed && responded.sealed);
    assert.equal(initiator.sealed.id, responded.sealed.id, 'both sides stored the same sync object');
    assert.ok(responded.transfer.bytesTransferred >= big.length, `B fetched the big file (${responded.transfer.bytesTransferred} bytes)`);
    assert.ok((requestsFromB.get('getChunks') ?? 0) >= 2, `the big file came in several chunk requests (${requestsFromB.get('getChunks')})`);

    const [treeA, treeB] = await Promise.all([treeOf(rootA), treeOf(rootB)]);
    assert.deepEqual([...treeA.entries()].sort(), [...treeB.entries()].sort(), 'both folders are identical on disk');
    assert.equal(treeA.size, 1 + 1 + 1 + 1 + 1 + 1 + 20, 'media, media/raw, big.bin, notes.txt, docs, report.md, 20 small files');

    // And back the other way on the same connection: B initiates after a change on its side.
    await writeFile(path.join(rootB, 'notes.txt'), 'edited on B\n');
    await replicaB!.scan();
    let second: Promise<SessionResult> | undefined;
    a.node.handleSync(async ({ folder, channel: incoming }) => {
      second = runSession(replicaA!, incoming, { folder, role: 'responder' });
      await second;
    });
    const back = await runSession(replicaB!, await b.node.openSync(a.node.deviceId, 'shared'), { folder: 'shared', role: 'initiator' });
    await waitFor(() => second !== undefined, 'A to respond');
    await second;
    assert.equal(back.sent, 1, 'only the edit was sent');
    assert.deepEqual([...(await treeOf(rootA)).entries()].sort(), [...(await treeOf(rootB)).entries()].sort());
  });
});
