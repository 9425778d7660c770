import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Libp2p, Stream } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { PROTOCOL_VERSION, runSession, type SessionResult } from '@syncline/engine';
import { encodeFrame, SYNC_PROTOCOL } from '../src/index.js';
import { makeReplicas, type ReplicaSet } from '../../../test/helpers/replicas.js';
import { rawLibp2p, startNodes, treeOf, waitFor, type TestNode } from './helpers.js';

const FOLDER = 'shared';

function frame(message: unknown): Uint8Array {
  return encodeFrame(message);
}

function rawFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.byteLength);
  new DataView(out.buffer).setUint32(0, payload.byteLength);
  out.set(payload, 4);
  return out;
}

/** msgpack { "__proto__": { "polluted": true }, "t": "hello" } written by hand. */
const PROTO_MAP = Uint8Array.from([
  0x82,
  0xa9, ...Buffer.from('__proto__'), 0x81, 0xa8, ...Buffer.from('polluted'), 0xc3,
  0xa1, ...Buffer.from('t'), 0xa5, ...Buffer.from('hello'),
]);

interface Outcome {
  peer: string;
  error?: { code?: string; message: string };
  result?: SessionResult;
}

describe('p2p: malformed input on the sync protocol from a trusted peer', function () {
  this.timeout(120_000);
  let nodes: TestNode[];
  let stopNodes: () => Promise<void>;
  let replicas: ReplicaSet;
  let attacker: Libp2p;
  let b: TestNode;
  let outcomes: Outcome[];

  before(async () => {
    ({ nodes, stop: stopNodes } = await startNodes(2));
    b = nodes[1]!;
    replicas = await makeReplicas(2);
    attacker = await rawLibp2p();
    b.trusted.add(attacker.peerId.toString());
    b.trusted.add(nodes[0]!.node.deviceId);
    nodes[0]!.trusted.add(b.node.deviceId);
    await writeFile(path.join(replicas.roots[0]!, 'a.txt'), 'from A\n');
    await writeFile(path.join(replicas.roots[1]!, 'b.txt'), 'from B\n');
    await replicas.replicas[0]!.scan();
    await replicas.replicas[1]!.scan();
    outcomes = [];
    b.node.handleSync(async ({ peer, folder, channel }) => {
      try {
        outcomes.push({ peer, result: await runSession(replicas.replicas[1]!, channel, { folder, role: 'responder' }) });
      } catch (err) {
        outcomes.push({ peer, error: err as Error & { code?: string } });
      }
    });
  });
  after(async () => {
    await attacker.stop();
    await stopNodes();
    await replicas.close();
  });

  async function attack(bytes: Uint8Array[], endWrite: boolean): Promise<Stream> {
    const stream = await attacker.dialProtocol(b.node.addresses().map((a) => multiaddr(a)), SYNC_PROTOCOL);
    for (const chunk of bytes) stream.send(chunk);
    if (endWrite) await stream.close();
    return stream;
  }

  function warningsAbout(peer: string): string[] {
    return b.log.warnings().filter((e) => e.peer === peer).map((e) => `${e.msg}: ${String(e.err)}`);
  }

  const header = frame({ folder: FOLDER });
  const cases: { name: string; bytes: () => Promise<Uint8Array[]>; endWrite: boolean; error: RegExp; loggedByChannel: boolean }[] = [
    { name: 'a truncated frame', bytes: async () => [header, Uint8Array.from([0, 0, 0, 100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])], endWrite: true, error: /ended in the middle of a frame/, loggedByChannel: true },
    { name: 'an oversized length prefix', bytes: async () => [header, Uint8Array.from([0xff, 0xff, 0xff, 0xff])], endWrite: false, error: /announces 4294967295 bytes/, loggedByChannel: true },
    { name: 'a frame that is not msgpack', bytes: async () => [header, rawFrame(Buffer.from([0xd9]))], endWrite: false, error: /not valid msgpack/, loggedByChannel: true },
    { name: 'a __proto__ key', bytes: async () => [header, rawFrame(PROTO_MAP)], endWrite: false, error: /forbidden key/, loggedByChannel: true },
    { name: 'an unknown message kind', bytes: async () => [header, frame({ t: 'format-disk' })], endWrite: false, error: /unknown message kind/, loggedByChannel: false },
    {
      name: 'a record with a ".." path',
      bytes: async () => {
        const [real] = (await replicas.replicas[0]!.store.changesSince(0, 10)).filter((r) => r.kind === 'file');
        assert.ok(real, 'a genuine record to tamper with');
        return [
          header,
          frame({ t: 'hello', protocol: PROTOCOL_VERSION, folder: FOLDER, replica: 'intruderreplica' }),
          frame({ t: 'base', id: null }),
          frame({ t: 'changes', records: [{ ...real, path: '../escape.txt' }], last: true }),
          frame({ t: 'prepared' }),
        ];
      },
      endWrite: false,
      error: /bad field "path"/,
      loggedByChannel: false,
    },
  ];

  for (const c of cases) {
    it(`${c.name} closes that session with a logged protocol error; the node stays up`, async () => {
      const before = outcomes.length;
      const peer = attacker.peerId.toString();
      const stream = await attack(await c.bytes(), c.endWrite);
      await waitFor(() => outcomes.length > before, 'the session to end');
      const outcome = outcomes[before]!;
      assert.equal(outcome.peer, peer);
      assert.equal(outcome.error?.code, 'SYNCLINE_PROTOCOL', `a protocol error, got ${outcome.error?.message}`);
      assert.match(outcome.error!.message, c.error);
      if (c.loggedByChannel) assert.ok(warningsAbout(peer).some((w) => c.error.test(w)), `logged with the peer ID: ${warningsAbout(peer).join(' | ')}`);
      // Framing errors reset the stream; the engine ends a session it rejects by closing its side.
      await waitFor(() => stream.status !== 'open' || stream.remoteWriteStatus === 'closed', 'B to end the attacker\'s stream');
      assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
      assert.ok(b.node.addresses().length > 0, 'the node is still listening');
    });
  }

  it('refuses a bad stream header without running the handler', async () => {
    const peer = attacker.peerId.toString();
    const before = outcomes.length;
    const warned = warningsAbout(peer).length;
    await attack([frame({ folder: '../outside' })], false);
    await attack([rawFrame(Buffer.from([0xd9]))], false);
    await attack([Uint8Array.from([0, 0, 0x10, 0])], false); // 4 KiB announced: more than a header may be
    await waitFor(() => warningsAbout(peer).length >= warned + 3, 'three logged refusals');
    const latest = warningsAbout(peer).slice(warned).join(' | ');
    assert.match(latest, /invalid folder ID/);
    assert.match(latest, /not valid msgpack/);
    assert.match(latest, /more than the limit of 1024/);
    assert.equal(outcomes.length, before, 'the sync handler never ran');
  });

  it('afterwards a well-formed session still works, and nothing was written outside the replica root', async () => {
    const a = nodes[0]!;
    const before = outcomes.length;
    await a.node.connect(b.node.deviceId, b.node.addresses());
    const result = await runSession(replicas.replicas[0]!, await a.node.openSync(b.node.deviceId, FOLDER), { folder: FOLDER, role: 'initiator' });
    await waitFor(() => outcomes.length > before, 'the responder to finish');
    assert.equal(outcomes[before]!.error, undefined, `the good session succeeded (${outcomes[before]!.error?.message})`);
    assert.deepEqual(result.problems, []);
    const [treeA, treeB] = await Promise.all([treeOf(replicas.roots[0]!), treeOf(replicas.roots[1]!)]);
    assert.deepEqual([...treeB.keys()].sort(), ['a.txt', 'b.txt']);
    assert.deepEqual([...treeA.entries()].sort(), [...treeB.entries()].sort());
    assert.deepEqual((await readdir(replicas.dir)).sort(), ['r0', 'r1'], 'nothing beside the replica roots');
    assert.equal(existsSync(path.join(replicas.dir, '..', 'escape.txt')), false);
  });
});
