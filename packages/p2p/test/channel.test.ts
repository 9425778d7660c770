import assert from 'node:assert/strict';
import type { Libp2p, Stream } from '@libp2p/interface';
import { ChannelClosedError, ProtocolError } from '@syncline/engine';
import { encodeFrame, StreamChannel } from '../src/index.js';
import { captureLogger, rawLibp2p, waitFor } from './helpers.js';

const PROTOCOL = '/syncline-test/channel/1.0.0';
const MiB = 1024 * 1024;

describe('p2p StreamChannel over a real libp2p stream', function () {
  this.timeout(60_000);
  let listener: Libp2p;
  let dialer: Libp2p;
  let incoming: Stream[];
  const log = captureLogger();

  beforeEach(async () => {
    [listener, dialer] = await Promise.all([rawLibp2p(), rawLibp2p()]);
    incoming = [];
    await listener.handle(PROTOCOL, (stream) => void incoming.push(stream));
  });
  afterEach(() => Promise.all([listener.stop(), dialer.stop()]));

  async function pair(): Promise<{ sender: StreamChannel; receiver: StreamChannel }> {
    const stream = await dialer.dialProtocol(listener.getMultiaddrs(), PROTOCOL);
    const sender = new StreamChannel(stream, { peer: listener.peerId.toString(), log: log.logger });
    await waitFor(() => incoming.length > 0, 'the incoming stream');
    const receiver = new StreamChannel(incoming.shift()!, { peer: dialer.peerId.toString(), log: log.logger });
    return { sender, receiver };
  }

  it('slows a sender down to a receiver that does not read: bounded buffers on both sides, nothing lost', async () => {
    const { sender, receiver } = await pair();
    const frames = 64;
    const payload = (i: number) => new Uint8Array(MiB).fill(i);
    let sent = 0;
    const sending = (async () => {
      for (let i = 0; i < frames; i++) {
        await sender.send({ i, data: payload(i) });
        sent++;
      }
    })();
    // The receiver asks for nothing: it must pause, the sender's window must run dry, and send()
    // must stop resolving with at most one frame waiting in the sender's stream buffer.
    await waitFor(() => sent === frames || (receiver.stream.readStatus === 'paused' && sender.stream.writableNeedsDrain), 'the sender to be held back');
    const heldAt = sent;
    assert.ok(heldAt < frames, `the sender was held back (after ${heldAt} of ${frames} frames)`);
    assert.ok(sender.stream.writeBufferLength <= MiB + 64, `the sender buffers at most one frame (${sender.stream.writeBufferLength} bytes)`);
    assert.ok(heldAt * MiB < 40 * MiB, `at most read-ahead + window + one frame are in flight (${heldAt} MiB)`);

    for (let i = 0; i < frames; i++) {
      const m = (await receiver.receive()) as { i: number; data: Uint8Array };
      assert.equal(m.i, i);
      assert.equal(m.data.byteLength, MiB);
      assert.ok(m.data.every((b) => b === (i & 0xff)));
    }
    await sending;
    assert.equal(sent, frames);
    sender.close();
    await assert.rejects(receiver.receive(), ChannelClosedError);
  });

  it('keeps frames whole and in call order when sends overlap', async () => {
    const { sender, receiver } = await pair();
    const sizes = [10, 300_000, 5, 2 * MiB, 70_000, 1];
    await Promise.all(sizes.map((n, i) => sender.send({ i, data: new Uint8Array(n).fill(i) })));
    for (let i = 0; i < sizes.length; i++) {
      const m = (await receiver.receive()) as { i: number; data: Uint8Array };
      assert.equal(m.i, i);
      assert.equal(m.data.byteLength, sizes[i]);
    }
  });

  it('a local close fails pending and later calls on this end; the peer reads what was sent, then is closed', async () => {
    const { sender, receiver } = await pair();
    const pendingOnSender = sender.receive();
    await sender.send({ last: true });
    sender.close('finished');
    await assert.rejects(pendingOnSender, ChannelClosedError);
    await assert.rejects(sender.send({}), ChannelClosedError);
    assert.deepEqual(await receiver.receive(), { last: true });
    await assert.rejects(receiver.receive(), ChannelClosedError);
    await assert.rejects(receiver.send({ reply: true }), ChannelClosedError);
    await Promise.all([sender.done, receiver.done]);
  });

  it('a paused receiver still gets everything the peer sent before it closed, then ChannelClosedError', async () => {
    const { sender, receiver } = await pair();
    const sizes = [700 * 1024, 700 * 1024, 700 * 1024, 10];
    for (const [i, n] of sizes.entries()) await sender.send({ i, data: new Uint8Array(n).fill(i) });
    sender.close();
    await waitFor(() => receiver.stream.remoteWriteStatus === 'closed', 'the end of the peer\'s side to arrive');
    assert.equal(receiver.stream.readStatus, 'paused', 'nobody asked, so the receiver paused after its read-ahead');
    for (const [i, n] of sizes.entries()) {
      const m = (await receiver.receive()) as { i: number; data: Uint8Array };
      assert.equal(m.i, i);
      assert.equal(m.data.byteLength, n);
    }
    await assert.rejects(receiver.receive(), ChannelClosedError);
    await Promise.all([sender.done, receiver.done]);
  });

  it('a stream that ends mid-frame is a protocol error, logged with the peer ID', async () => {
    const stream = await dialer.dialProtocol(listener.getMultiaddrs(), PROTOCOL);
    await waitFor(() => incoming.length > 0, 'the incoming stream');
    const receiver = new StreamChannel(incoming.shift()!, { peer: dialer.peerId.toString(), log: log.logger });
    const frame = encodeFrame({ hello: 'world' });
    stream.send(frame.subarray(0, frame.byteLength - 2));
    await stream.close();
    await assert.rejects(receiver.receive(), (err: unknown) => err instanceof ProtocolError && /ended in the middle of a frame/.test(err.message));
    await assert.rejects(receiver.receive(), ChannelClosedError);
    assert.ok(log.warnings().some((e) => e.peer === dialer.peerId.toString() && /middle of a frame/.test(String(e.err))));
  });

  it('a reset or a lost connection closes the channel on both ends', async () => {
    const { sender, receiver } = await pair();
    const pending = receiver.receive();
    await dialer.hangUp(listener.peerId);
    await assert.rejects(pending, ChannelClosedError);
    await assert.rejects(sender.send({}), ChannelClosedError);
    await assert.rejects(sender.receive(), ChannelClosedError);
  });
});
