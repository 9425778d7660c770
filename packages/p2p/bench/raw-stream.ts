/**
 * Scratch reference: raw libp2p stream throughput (TCP + Noise + yamux, one process, loopback),
 * no framing or msgpack — the ceiling for StreamChannel.
 *
 *   node --conditions=source --import tsx packages/p2p/bench/raw-stream.ts [MiB] [runs]
 */
import type { Stream } from '@libp2p/interface';
import '../src/index.js';
import { rawLibp2p } from '../test/helpers.js';

const MiB = 1024 * 1024;
const totalMiB = Number(process.argv[2] ?? 256);
const runs = Number(process.argv[3] ?? 3);
const [listener, dialer] = await Promise.all([rawLibp2p(), rawLibp2p()]);
let onStream: (s: Stream) => void = () => undefined;
await listener.handle('/bench/raw', (s) => onStream(s));
const block = new Uint8Array(8 * MiB).fill(7);
const times: number[] = [];
const cpus: number[] = [];
for (let r = 0; r < runs; r++) {
  const received = new Promise<void>((resolve) => {
    onStream = (s) => {
      let n = 0;
      s.addEventListener('message', (e) => {
        n += e.data.byteLength;
        if (n >= totalMiB * MiB) resolve();
      });
    };
  });
  const stream = await dialer.dialProtocol(listener.getMultiaddrs(), '/bench/raw');
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (let sent = 0; sent < totalMiB * MiB; sent += block.byteLength) {
    if (!stream.send(block)) await new Promise((resolve) => stream.addEventListener('drain', resolve, { once: true }));
  }
  await received;
  times.push(Number(process.hrtime.bigint() - start) / 1e9);
  const cpu = process.cpuUsage(cpu0);
  cpus.push((cpu.user + cpu.system) / 1e6);
  await stream.close();
}
const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
console.log(`raw stream ${totalMiB} MiB: median ${median.toFixed(2)} s = ${((totalMiB * MiB) / 1e6 / median).toFixed(0)} MB/s (runs: ${times.map((t) => t.toFixed(2)).join(', ')} s); CPU ${cpus.map((t) => t.toFixed(2)).join(', ')} s = ${((totalMiB * MiB) / 1e6 / Math.min(...cpus)).toFixed(0)} MB per CPU-second (best)`);
await Promise.all([listener.stop(), dialer.stop()]);
