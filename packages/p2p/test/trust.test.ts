import assert from 'node:assert/strict';
import { multiaddr } from '@multiformats/multiaddr';
import { PeerNotTrustedError, PeerUnreachableError, SYNC_PROTOCOL } from '../src/index.js';
import { rawLibp2p, startNodes, trustEachOther, waitFor, type TestNode } from './helpers.js';

describe('p2p trust gate', function () {
  this.timeout(60_000);
  let nodes: TestNode[];
  let stop: () => Promise<void>;
  let home: TestNode; // the node that holds data
  let friend: TestNode; // trusted by home
  let stranger: TestNode; // not trusted by home (but it trusts home)
  let handlerRuns: string[];
  let nudges: string[];
  let connectedToHome: string[];

  beforeEach(async () => {
    ({ nodes, stop } = await startNodes(3));
    [home, friend, stranger] = nodes as [TestNode, TestNode, TestNode];
    trustEachOther(home, friend);
    stranger.trusted.add(home.node.deviceId);
    handlerRuns = [];
    nudges = [];
    connectedToHome = [];
    home.node.handleSync(async ({ peer, channel }) => {
      handlerRuns.push(peer);
      await channel.send({ t: 'chunks', id: 1, chunks: [{ hash: 'secret', data: new Uint8Array([1, 2, 3]) }] });
    });
    home.node.handleNudge((peer) => nudges.push(peer));
    home.node.onPeerConnected((id) => connectedToHome.push(id));
  });
  afterEach(() => stop());

  function refusalsOf(node: TestNode, peer: string): string[] {
    return node.log
      .warnings()
      .filter((e) => e.peer === peer && /untrusted/.test(e.msg))
      .map((e) => String(e.stage ?? e.protocol));
  }

  it('refuses an untrusted peer right after the handshake: no connection, no stream, no data, and it is logged', async () => {
    // The stranger dials: its own gate lets it (it trusts home); home's gate refuses after Noise.
    const connect = stranger.node.connect(home.node.deviceId, home.node.addresses()).then(
      () => 'connected',
      (err: unknown) => err,
    );
    const outcome = await connect;
    assert.ok(outcome === 'connected' || outcome instanceof PeerUnreachableError, `unexpected outcome ${String(outcome)}`);
    await waitFor(() => refusalsOf(home, stranger.node.deviceId).length > 0, 'home to log the refusal');
    assert.deepEqual(refusalsOf(home, stranger.node.deviceId), ['inbound-encrypted'], 'refused at the first hook that knows the peer ID');
    await waitFor(() => stranger.node.connectedPeers().length === 0, 'whatever the stranger thought it had to be closed');

    await assert.rejects(stranger.node.openSync(home.node.deviceId, 'photos'), PeerUnreachableError);
    await assert.rejects(stranger.node.nudge(home.node.deviceId, 'photos'), PeerUnreachableError);

    // A friend still gets through, which shows the handler was live all along.
    await friend.node.connect(home.node.deviceId, home.node.addresses());
    const channel = await friend.node.openSync(home.node.deviceId, 'photos');
    assert.deepEqual(((await channel.receive()) as { chunks: { hash: string }[] }).chunks[0]!.hash, 'secret');
    channel.close();

    assert.deepEqual(handlerRuns, [friend.node.deviceId], 'the handler never ran for the stranger');
    assert.deepEqual(nudges, []);
    assert.ok(!connectedToHome.includes(stranger.node.deviceId), 'home never reported the stranger as connected');
    assert.ok(!home.node.connectedPeers().includes(stranger.node.deviceId));
  });

  it('refuses a bare libp2p peer without a gate the same way: its protocol stream never opens', async () => {
    const intruder = await rawLibp2p();
    try {
      const attempt = intruder.dialProtocol(home.node.addresses().map((a) => multiaddr(a)), SYNC_PROTOCOL);
      await assert.rejects(attempt);
      await waitFor(() => refusalsOf(home, intruder.peerId.toString()).length > 0, 'home to log the refusal');
      assert.deepEqual(handlerRuns, []);
      await waitFor(() => intruder.getConnections().length === 0, 'the intruder\'s connection to be closed');
    } finally {
      await intruder.stop();
    }
  });

  it('never dials an untrusted peer, and re-checks trust on every incoming stream', async () => {
    await assert.rejects(home.node.connect(stranger.node.deviceId, stranger.node.addresses()), PeerNotTrustedError);
    assert.deepEqual(stranger.node.connectedPeers(), []);

    await friend.node.connect(home.node.deviceId, home.node.addresses());
    await waitFor(() => home.node.connectedPeers().includes(friend.node.deviceId), 'home to finish its side of the connection');
    home.trusted.delete(friend.node.deviceId); // trust revoked while connected
    await assert.rejects(friend.node.openSync(home.node.deviceId, 'photos'), PeerUnreachableError);
    await assert.rejects(friend.node.nudge(home.node.deviceId, 'photos'), PeerUnreachableError);
    await waitFor(() => refusalsOf(home, friend.node.deviceId).length >= 2, 'home to log both refusals');
    assert.deepEqual(refusalsOf(home, friend.node.deviceId), [SYNC_PROTOCOL, '/syncline/nudge/1.0.0']);
    assert.deepEqual(handlerRuns, []);
    assert.deepEqual(nudges, []);
    assert.ok(home.node.connectedPeers().includes(friend.node.deviceId), 'the streams were refused, not the connection');
  });
});
