import { Worker } from 'node:worker_threads';
const code = process.argv[2];
const r0 = process.memoryUsage.rss();
for (let i = 0; i < 2; i++) {
  const w = new Worker(`import('${code}').catch((e)=>{console.log(e.message)}).then(() => require('worker_threads').parentPort.postMessage(1)); setInterval(()=>{},1000)`, { eval: true });
  await new Promise((res) => w.on('message', res));
}
await new Promise(r=>setTimeout(r,300));
console.log(code.padEnd(50), 'delta 2 workers', ((process.memoryUsage.rss()-r0)/1048576).toFixed(1));
process.exit(0);
