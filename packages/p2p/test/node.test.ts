import assert from 'node:assert/strict';
import net from 'node:net';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ChannelClosedError } from '@syncline/engine';
import {
  createNode,
  InvalidAddressError,
  NodeNotRunningError,
  PeerNotTrustedError,
  PeerUnreachableError,
  type IncomingSync,
} from '../src/index.js';
import { captureLogger, LOOPBACK, startNodes, activeResources, trustEachOther, waitFor, type TestNode } from './helpers.js';
import { tempDir } from '../../../test/helpers/tmp.js';

function portOf(node: TestNode): number {
  const addr = node.node.addresses().find((a) => a.startsWith('/ip4/127.0.0.1/tcp/'));
  assert.ok(addr, 'the node listens on 127.0.0.1');
  return Number(addr.split('/')[4]);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('p2p node', function () {
  this.timeout(60_000);

  it('keeps its device ID across a restart; stop() is idempotent and leaves no listening socket', async () => {
    const { dir, cleanup } = await tempDir('syncline-p2p-');
    try {
      const before = activeResources();
      const home = path.join(dir, 'home');
      const options = { home, listen: [LOOPBACK], mdns: false, isTrusted: () => false, logger: captureLogger().logger };
      const first = await createNode(options);
      await first.start();
      await first.start(); // a second start of a running node is a no-op
      const port = Number(first.addresses()[0]!.split('/')[4]);
      assert.ok(first.addresses()[0]!.endsWith(`/p2p/${first.deviceId}`));
      assert.equal(activeResources().servers, before.servers + 1);
      assert.equal(await canConnect(port), true);
      assert.equal((await stat(path.join(home, 'identity.key'))).mode & 0o777, 0o600);

      await Promise.all([first.stop(), first.stop()]);
      await first.stop();
      assert.deepEqual(activeResources(), before, 'no listening socket, socket or timer remains');
      assert.equal(await canConnect(port), false);
      await assert.rejects(first.start(), NodeNotRunningError);
      await assert.rejects(first.connect(first.deviceId, []), NodeNotRunningError);

      const second = await createNode(options);
      assert.equal(second.deviceId, first.deviceId, 'the same home gives the same device ID');
      await second.stop(); // stopping a node that never started is fine
      assert.deepEqual(activeResources(), before);
    } finally {
      await cleanup();
    }
  });

  it('stop() with live connections and an open sync session closes them all and leaves nothing behind', async () => {
    await new Promise((resolve) => setImmediate(resolve)); // after mocha has armed this test's timeout timer
    const before = activeResources();
    const { nodes, stop } = await startNodes(2);
    const [a, b] = nodes as [TestNode, TestNode];
    trustEachOther(a, b);
    let handlerSettled = false;
    let received = 0;
    b.node.handleSync(async (sync) => {
      try {
        for (;;) {
          await sync.channel.receive();
          received++;
        }
      } finally {
        handlerSettled = true;
      }
    });
    await a.node.connect(b.node.deviceId, b.node.addresses());
    const channel = await a.node.openSync(b.node.deviceId, 'f');
    await channel.send({ hello: true });
    await waitFor(() => received === 1, 'B to receive the first message');
    const pending = channel.receive().then(() => 'a message', (err: unknown) => err);
    await b.node.stop();
    assert.equal(handlerSettled, true, 'stop() waits for running handlers, which see their channel closed');
    assert.ok((await pending) instanceof ChannelClosedError, 'the other side sees the session end');
    await a.node.stop();
    assert.deepEqual(activeResources(), before);
    await stop();
  });

  describe('two trusted nodes', () => {
    let nodes: TestNode[];
    let stop: () => Promise<void>;
    let a: TestNode;
    let b: TestNode;
    beforeEach(async () => {
      ({ nodes, stop } = await startNodes(2));
      [a, b] = nodes as [TestNode, TestNode];
      trustEachOther(a, b);
    });
    afterEach(() => stop());

    it('connects, reports the connection on both sides, and carries a sync stream as a Channel both ways', async () => {
      const connectedOnB: string[] = [];
      b.node.onPeerConnected((id) => connectedOnB.push(id));
      const incoming: IncomingSync[] = [];
      let handlerDone = false;
      b.node.handleSync(async (sync) => {
        incoming.push(sync);
        // Echo every message back until the initiator closes.
        for (;;) {
          let m: unknown;
          try {
            m = await sync.channel.receive();
          } catch (err) {
            assert.ok(err instanceof ChannelClosedError);
            break;
          }
          await sync.channel.send({ echo: m });
        }
        handlerDone = true;
      });
      await a.node.connect(b.node.deviceId, b.node.addresses());
      assert.deepEqual(a.node.connectedPeers(), [b.node.deviceId]);
      await waitFor(() => connectedOnB.includes(a.node.deviceId), 'B to see A connect');

      const channel = await a.node.openSync(b.node.deviceId, 'photos');
      const bytes = new Uint8Array(300_000).map((_, i) => i % 251);
      const messages: unknown[] = [
        { t: 'hello', protocol: 1, folder: 'photos', replica: 'abc' },
        { nested: { list: [1, -2, 3.5, 'x', true, false, null], deep: { deeper: { v: 2 ** 40 } } } },
        { t: 'chunks', id: 7, chunks: [{ hash: 'h', data: bytes }] },
        { empty: new Uint8Array(0), s: 'ünïcødé ✓' },
      ];
      for (const m of messages) {
        await channel.send(m);
        const reply = (await channel.receive()) as { echo: unknown };
        assert.deepEqual(reply.echo, m);
      }
      const chunkReply = (await (async () => {
        await channel.send(messages[2]);
        return channel.receive();
      })()) as { echo: { chunks: { data: unknown }[] } };
      const data = chunkReply.echo.chunks[0]!.data;
      assert.ok(data instanceof Uint8Array && Object.getPrototypeOf(data) === Uint8Array.prototype, 'bytes arrive as a plain Uint8Array');
      assert.equal(incoming.length, 1);
      assert.equal(incoming[0]!.peer, a.node.deviceId);
      assert.equal(incoming[0]!.folder, 'photos');

      channel.close();
      await assert.rejects(channel.receive(), ChannelClosedError);
      await assert.rejects(channel.send({}), ChannelClosedError);
      await waitFor(() => handlerDone, 'the responder to see the channel close');
    });

    it('delivers what was sent before a close, then rejects pending and later receives on the other side', async () => {
      let responder: IncomingSync | undefined;
      b.node.handleSync(async (sync) => {
        responder = sync;
        await sync.channel.send({ n: 1 });
        await sync.channel.send({ n: 2 });
        sync.channel.close('done here');
      });
      await a.node.connect(b.node.deviceId, b.node.addresses());
      const channel = await a.node.openSync(b.node.deviceId, 'docs');
      assert.deepEqual(await channel.receive(), { n: 1 });
      assert.deepEqual(await channel.receive(), { n: 2 });
      await assert.rejects(channel.receive(), ChannelClosedError);
      await assert.rejects(channel.receive(), ChannelClosedError);
      await assert.rejects(channel.send({ late: true }), ChannelClosedError);
      assert.ok(responder);

      // A receive pending when the remote closes rejects too.
      b.node.handleSync(async (sync) => {
        await sync.channel.receive();
        sync.channel.close();
      });
      const second = await a.node.openSync(b.node.deviceId, 'docs');
      const pending = second.receive();
      await second.send({ go: true });
      await assert.rejects(pending, ChannelClosedError);
    });

    it('sends and receives nudges', async () => {
      const nudges: [string, string][] = [];
      b.node.handleNudge((peer, folder) => nudges.push([peer, folder]));
      await a.node.connect(b.node.deviceId, b.node.addresses());
      await a.node.nudge(b.node.deviceId, 'music');
      await a.node.nudge(b.node.deviceId, 'photos');
      await waitFor(() => nudges.length === 2, 'two nudges');
      assert.deepEqual(nudges.sort(), [
        [a.node.deviceId, 'music'],
        [a.node.deviceId, 'photos'],
      ]);
      await assert.rejects(a.node.nudge(b.node.deviceId, '../bad'), /invalid folder ID/);
    });

    it('rejects bad addresses, untrusted device IDs and unreachable peers with clear errors', async () => {
      await assert.rejects(a.node.connect('not-a-peer-id', []), InvalidAddressError);
      await assert.rejects(a.node.connect(b.node.deviceId, ['/not/a/multiaddr']), InvalidAddressError);
      await assert.rejects(a.node.connect(b.node.deviceId, [`/ip4/127.0.0.1/tcp/1/p2p/${a.node.deviceId}`]), /belongs to device/);
      a.trusted.delete(b.node.deviceId);
      await assert.rejects(a.node.connect(b.node.deviceId, b.node.addresses()), PeerNotTrustedError);
      await assert.rejects(a.node.openSync(b.node.deviceId, 'x'), PeerNotTrustedError);
      a.trusted.add(b.node.deviceId);
      const port = portOf(b);
      await b.node.stop();
      await assert.rejects(a.node.connect(b.node.deviceId, [`/ip4/127.0.0.1/tcp/${port}`]), PeerUnreachableError);
    });

    it('keepConnected redials a peer that went away once it is back, until forget()', async () => {
      const port = portOf(b);
      const connects: string[] = [];
      const disconnects: string[] = [];
      a.node.onPeerConnected((id) => connects.push(id));
      a.node.onPeerDisconnected((id) => disconnects.push(id));
      a.node.keepConnected(b.node.deviceId, [`/ip4/127.0.0.1/tcp/${port}`]);
      await waitFor(() => a.node.connectedPeers().includes(b.node.deviceId), 'the first connection');

      // B goes away; a new node with the same home (same identity) comes back on the same port.
      await b.node.stop();
      await waitFor(() => disconnects.includes(b.node.deviceId), 'A to see B disconnect');
      const revived = await createNode({ home: b.home, listen: [`/ip4/127.0.0.1/tcp/${port}`], mdns: false, isTrusted: (id) => b.trusted.has(id), logger: b.log.logger });
      nodes.push({ ...b, node: revived });
      assert.equal(revived.deviceId, b.node.deviceId);
      await revived.start();
      await waitFor(() => connects.filter((id) => id === b.node.deviceId).length === 2, 'A to redial B');

      // After forget(), a dropped connection stays dropped.
      a.node.forget(b.node.deviceId);
      await a.node.disconnect(b.node.deviceId);
      await waitFor(() => disconnects.filter((id) => id === b.node.deviceId).length === 2, 'the hang-up');
      const until = Date.now() + 1500;
      await waitFor(() => Date.now() > until || a.node.connectedPeers().length > 0, 'a redial that must not happen', 5000);
      assert.deepEqual(a.node.connectedPeers(), []);
    });
  });
});
