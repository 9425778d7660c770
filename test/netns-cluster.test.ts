/**
 * The Docker image's entrypoint on separate hosts: Linux network namespaces made by
 * scripts/netns-cluster, each running docker/entrypoint.sh with the environment compose gives
 * its container (peers by name: /dns4/node-b/tcp/4001, resolved through the hosts' own
 * /etc/hosts). Needs root (CI runs as root); skipped with the reason otherwise.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './helpers/cli.js';
import { fileHashes, hasTool, listFiles, listNamespaces, NetnsCluster, netnsPrerequisites, pollUntil, processesMentioning, sameHashes, sha256, trashHashes, treeDifference } from './helpers/netns.js';

const FOLDER = 'shared'; // docker/compose.yml: SYNCLINE_FOLDERS=shared=/data/shared
const IMAGE_USER = '1000:1000'; // the node image's `node` user, which docker/Dockerfile runs as
const CONFLICT_COPY = (base: string, ext: string) => new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.sync-conflict-\\d{8}-\\d{6}-[a-z0-9]+${ext.replace('.', '\\.')}$`);

describe('netns cluster: docker/entrypoint.sh on separate hosts (network namespaces)', function () {
  this.timeout(600_000);
  const clusters: NetnsCluster[] = [];
  const namespacePrefixes: string[] = [];
  let user: string | undefined;

  before(async function () {
    this.timeout(600_000); // may apt-get install iproute2 and tini
    const reason = await netnsPrerequisites();
    if (reason) {
      console.log(`      (skipped: ${reason})`);
      this.skip();
    }
    if (!(await hasTool('tini'))) console.log('      (tini is not installed: the entrypoint runs without the init the image has)');
    user = (await NetnsCluster.canRunAs(IMAGE_USER)) ? IMAGE_USER : undefined;
    if (!user) console.log(`      (uid ${IMAGE_USER} cannot read this checkout: the nodes run as root)`);
  });

  afterEach(async function () {
    for (const cluster of clusters.splice(0)) {
      if (this.currentTest?.state === 'failed') {
        const saved = path.join(REPO_ROOT, 'test-artifacts', 'netns', this.currentTest.title.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60));
        await saveLogs(cluster, saved).catch((err: Error) => console.log(`      (could not save the hosts' logs: ${err.message})`));
      }
      await cluster.down();
      assert.deepEqual(await cluster.namespaces(), [], 'the cluster’s namespaces are gone');
      await pollUntil(async () => (await processesMentioning(cluster.dir)).length === 0, 'the cluster’s processes to be gone', {
        timeoutMs: 10_000,
        explain: async () => `still running: ${(await processesMentioning(cluster.dir)).join(', ')}`,
      });
    }
  });

  after(async () => {
    for (const cluster of clusters.splice(0)) await cluster.down();
    const left = (await listNamespaces().catch(() => [])).filter((n) => namespacePrefixes.some((p) => n.startsWith(`${p}-`)));
    assert.deepEqual(left, [], 'no namespace of this file’s clusters is left');
  });

  /** Keeps a failed test's host logs in test-artifacts/ and shows their last lines. */
  async function saveLogs(cluster: NetnsCluster, dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (const host of cluster.hosts) {
      const { stdout, stderr } = await cluster.logs(host);
      await writeFile(path.join(dir, `${host}.log`), stdout + stderr);
      console.log(`--- ${host}, last lines of its log (all of it in ${path.relative(REPO_ROOT, dir)}/${host}.log)\n${stderr.split('\n').slice(-8).join('\n')}`);
    }
  }

  /** A cluster of compose's three nodes, configured exactly as compose configures them. */
  async function composeCluster(): Promise<NetnsCluster> {
    const cluster = await NetnsCluster.up(3, user ? { user } : {});
    clusters.push(cluster);
    namespacePrefixes.push(cluster.id);
    await cluster.useComposeEnvironment();
    return cluster;
  }

  /** Elapsed time of each phase of a test, printed as one line at its end. */
  function timeline() {
    const start = Date.now();
    const marks: string[] = [];
    return {
      mark: (what: string) => marks.push(`${what} ${((Date.now() - start) / 1000).toFixed(1)} s`),
      print: () => console.log(`      (${marks.join(', ')})`),
    };
  }

  const folderOf = (cluster: NetnsCluster, host: string) => path.join(cluster.data(host), FOLDER);

  /** For a timeout message: how each host's tree differs from node-a's. */
  const explainTrees = (cluster: NetnsCluster, hosts = cluster.hosts) => async () => {
    const trees = await Promise.all(hosts.map((h) => fileHashes(folderOf(cluster, h))));
    return hosts
      .slice(1)
      .map((h, i) => treeDifference([hosts[0]!, h], trees[0]!, trees[i + 1]!))
      .join('\n');
  };

  async function converged(cluster: NetnsCluster, expectFiles?: number): Promise<boolean> {
    const roots = cluster.hosts.map((h) => folderOf(cluster, h));
    if (expectFiles !== undefined) {
      const counts = await Promise.all(roots.map((r) => listFiles(r).then((f) => f.length)));
      if (counts.some((c) => c !== expectFiles)) return false;
    }
    const trees = await Promise.all(roots.map((r) => fileHashes(r)));
    return trees.every((t) => sameHashes(t, trees[0]!)) && trees[0]!.size > 0;
  }

  /**
   * Waits until `host` has a partial download in .syncline/tmp: the transfer has begun. (Its size
   * may stay 0 until a batch of chunks is written; the slowed link keeps the transfer going for
   * several seconds after that.)
   */
  async function waitForPartialDownload(cluster: NetnsCluster, host: string): Promise<void> {
    const tmp = path.join(folderOf(cluster, host), '.syncline', 'tmp');
    await pollUntil(
      async () => existsSync(tmp) && (await readdir(tmp)).some((n) => n.endsWith('.part')),
      `${host} to be receiving a file`,
      { timeoutMs: 120_000, intervalMs: 50 },
    );
  }

  it('three hosts converge a folder of 3,000 files, peers addressed by name as in compose', async () => {
    const cluster = await composeCluster();
    // Every node starts with its own part of the folder: 2,000 + 500 + 500 small files.
    const share = { 'node-a': 2000, 'node-b': 500, 'node-c': 500 } as Record<string, number>;
    for (const host of cluster.hosts) {
      for (let i = 0; i < share[host]!; i++) {
        const file = path.join(folderOf(cluster, host), `from-${host}`, `dir-${String(i % 40).padStart(2, '0')}`, `file-${i}.txt`);
        await cluster.writeFile(file, `${host} file ${i}\n${randomBytes(64 + (i % 200)).toString('base64')}\n`);
      }
    }
    const started = Date.now();
    await cluster.start(...cluster.hosts);
    await pollUntil(() => converged(cluster, 3000), 'three hosts to hold the same 3,000 files', { timeoutMs: 420_000, intervalMs: 1000, explain: explainTrees(cluster) });
    console.log(`      (converged 3,000 files on 3 hosts in ${((Date.now() - started) / 1000).toFixed(1)} s)`);

    // The image's HEALTHCHECK command answers, and sees both peers connected by their compose names.
    const health = await cluster.exec('node-a', await cluster.healthcheckCommand('node-a'));
    assert.equal(health.code, 0, `HEALTHCHECK command: ${health.stderr}`);
    const status = JSON.parse((await cluster.exec('node-b', ['syncline', 'status', '--json'])).stdout) as { folders: { id: string }[]; peers: { deviceId: string; addrs: string[]; connected: boolean }[] };
    assert.deepEqual(status.folders.map((f) => f.id), [FOLDER]);
    assert.deepEqual(
      status.peers.map((p) => [p.deviceId, p.addrs, p.connected]).sort(),
      [
        [cluster.deviceIds['node-a'], ['/dns4/node-a/tcp/4001'], true],
        [cluster.deviceIds['node-c'], ['/dns4/node-c/tcp/4001'], true],
      ].sort(),
    );
  });

  it('a host cut off mid-transfer while the others edit converges when its link returns: conflicts kept, nothing lost', async () => {
    const cluster = await composeCluster();
    const [a, b, c] = cluster.hosts.map((h) => folderOf(cluster, h)) as [string, string, string];
    /** Every version a user wrote that no later write on a connected host superseded. */
    const kept: { file: string; hash: string; by: string }[] = [];
    const write = async (root: string, by: string, file: string, content: string | Buffer, keep = true) => {
      await cluster.writeFile(path.join(root, file), content);
      if (keep) kept.push({ file, hash: sha256(content), by });
    };
    const time = timeline();
    for (let i = 1; i <= 6; i++) await write(a, 'a', `contested-${i}.txt`, `original ${i}\n`, false);
    await write(a, 'a', 'edited-by-c-deleted-by-a.txt', 'original\n', false);
    await write(a, 'a', 'edited-by-b-deleted-by-c.txt', 'original\n', false);
    await write(a, 'a', 'untouched.txt', 'untouched\n');
    await cluster.start(...cluster.hosts);
    await pollUntil(() => converged(cluster, 9), 'the first convergence', { timeoutMs: 120_000, intervalMs: 250, explain: explainTrees(cluster) });
    time.mark('first sync');

    // A transfer to node-c is under way (its link slowed so the cut lands mid-file), then the cable goes.
    const shaped = await cluster.shape('node-c', '2mbit');
    const big = randomBytes(3 << 20);
    await write(a, 'a', 'bulk/big.bin', big);
    for (let i = 0; i < 40; i++) await write(a, 'a', `bulk/small-${i}.txt`, `small ${i} ${randomBytes(300).toString('hex')}\n`);
    if (shaped) await waitForPartialDownload(cluster, 'node-c');
    await cluster.link('node-c', 'down');
    time.mark('link cut');
    const bigOnC = path.join(c, 'bulk/big.bin');
    if (shaped) assert.ok(!existsSync(bigOnC), 'node-c was cut off before the big file was complete');

    // Partitioned: node-a and node-b go on editing; so does node-c, on its own.
    for (let i = 1; i <= 6; i++) {
      await write(i % 2 ? a : b, i % 2 ? 'a' : 'b', `contested-${i}.txt`, `${i % 2 ? 'a' : 'b'}'s edit of ${i}\n`);
      await write(c, 'c', `contested-${i}.txt`, `c's edit of ${i}\n`);
    }
    await rm(path.join(a, 'edited-by-c-deleted-by-a.txt'));
    await write(c, 'c', 'edited-by-c-deleted-by-a.txt', "c's edit\n");
    await write(b, 'b', 'edited-by-b-deleted-by-c.txt', "b's edit\n");
    await rm(path.join(c, 'edited-by-b-deleted-by-c.txt'));
    for (let i = 0; i < 5; i++) {
      await write(a, 'a', `new/a-${i}.txt`, `new from a ${i}\n`);
      await write(b, 'b', `new/b-${i}.txt`, `new from b ${i}\n`);
      await write(c, 'c', `new/c-${i}.txt`, `new from c ${i}\n`);
    }
    // The connected side converges without node-c.
    await pollUntil(
      async () => {
        const [ta, tb] = await Promise.all([fileHashes(a), fileHashes(b)]);
        return sameHashes(ta, tb) && ta.has('new/a-4.txt') && ta.has('new/b-4.txt') && ta.get('contested-2.txt') === sha256("b's edit of 2\n") && !ta.has('edited-by-c-deleted-by-a.txt');
      },
      'node-a and node-b to converge while node-c is cut off',
      { timeoutMs: 240_000, intervalMs: 250, explain: explainTrees(cluster, ['node-a', 'node-b']) },
    );
    time.mark('node-a and node-b converged');
    const cTree = await fileHashes(c);
    assert.ok(!cTree.has('new/a-0.txt') && cTree.get('contested-1.txt') === sha256("c's edit of 1\n"), 'node-c saw nothing of the partitioned edits');

    await cluster.shape('node-c', 'off');
    await cluster.link('node-c', 'up');
    const expected = 9 + 41 + 15 + 6; // the first 9 (an edit beats a delete), bulk/, new/, a conflict copy per contested file
    time.mark('link back');
    await pollUntil(() => converged(cluster, expected), 'all three hosts to converge after the link returns', { timeoutMs: 300_000, intervalMs: 500, explain: explainTrees(cluster) });
    time.mark('all converged');
    time.print();

    const tree = await fileHashes(a);
    const files = [...tree.keys()];
    assert.equal(tree.get('bulk/big.bin'), sha256(big), 'the interrupted transfer completed');
    assert.deepEqual(files.filter((f) => f.endsWith('.part') || f.includes('/.syncline')), [], 'no partial file at a synced path');
    // Concurrent edits: both versions are in the folder, one at the path, the other as a conflict copy.
    for (let i = 1; i <= 6; i++) {
      const copies = files.filter((f) => CONFLICT_COPY(`contested-${i}`, '.txt').test(f));
      assert.equal(copies.length, 1, `one conflict copy of contested-${i}.txt: ${copies.join(', ')}`);
      const versions = [tree.get(`contested-${i}.txt`), tree.get(copies[0]!)].sort();
      assert.deepEqual(versions, [sha256(`${i % 2 ? 'a' : 'b'}'s edit of ${i}\n`), sha256(`c's edit of ${i}\n`)].sort(), `contested-${i}.txt keeps both edits`);
    }
    // An edit beats a delete, on either side of the partition.
    assert.equal(tree.get('edited-by-c-deleted-by-a.txt'), sha256("c's edit\n"));
    assert.equal(tree.get('edited-by-b-deleted-by-c.txt'), sha256("b's edit\n"));
    // Nothing lost: every kept version is at its path, in a conflict copy of it, or in a trash.
    const trash = new Set<string>();
    for (const host of cluster.hosts) for (const h of await trashHashes(folderOf(cluster, host))) trash.add(h);
    const lost = kept.filter(({ file, hash }) => {
      const ext = path.extname(file);
      const copy = CONFLICT_COPY(file.slice(0, file.length - ext.length), ext);
      return tree.get(file) !== hash && !files.some((f) => copy.test(f) && tree.get(f) === hash) && !trash.has(hash);
    });
    assert.deepEqual(lost, [], 'every version written survives');
  });

  it('a host stopped with SIGTERM mid-transfer exits 0 cleanly (through tini, as in the image) and catches up when started again', async () => {
    const cluster = await composeCluster();
    const [a, b] = [folderOf(cluster, 'node-a'), folderOf(cluster, 'node-b')];
    const time = timeline();
    await cluster.writeFile(path.join(a, 'first.txt'), 'first\n');
    await cluster.start(...cluster.hosts);
    await pollUntil(() => converged(cluster, 1), 'the first convergence', { timeoutMs: 120_000, intervalMs: 250, explain: explainTrees(cluster) });
    time.mark('first sync');

    const shaped = await cluster.shape('node-b', '2mbit');
    const big = randomBytes(3 << 20);
    await cluster.writeFile(path.join(a, 'big.bin'), big);
    if (shaped) await waitForPartialDownload(cluster, 'node-b');
    time.mark('transfer to node-b under way');
    const stopping = Date.now();
    assert.equal(await cluster.stop('node-b', 'TERM'), 0, 'exit status 0 after SIGTERM');
    time.mark(`node-b stopped (${Date.now() - stopping} ms after SIGTERM)`);
    assert.ok(!existsSync(path.join(cluster.home('node-b'), 'daemon.json')), 'the runtime file is removed');
    const bFiles = await listFiles(b);
    assert.deepEqual(bFiles.filter((f) => f.endsWith('.part')), [], 'no partial file at a target path');
    if (bFiles.includes('big.bin')) assert.equal(sha256(await readFile(path.join(b, 'big.bin'))), sha256(big), 'a file at its path is complete');
    else assert.ok(shaped, 'the big file was still in flight when node-b stopped');
    const { stderr } = await cluster.logs('node-b');
    assert.match(stderr, /"msg":"daemon stopped"/, 'the daemon closed its folders and stopped');

    // While node-b is down the others go on.
    await cluster.writeFile(path.join(a, 'while-b-was-down.txt'), 'news\n');
    await cluster.writeFile(path.join(folderOf(cluster, 'node-c'), 'from-c.txt'), 'c\n');
    await cluster.shape('node-b', 'off');
    await cluster.start('node-b');
    time.mark('node-b restarted');
    await pollUntil(() => converged(cluster, 4), 'node-b to catch up after its restart', { timeoutMs: 240_000, intervalMs: 250, explain: explainTrees(cluster) });
    time.mark('caught up');
    time.print();
    assert.equal(sha256(await readFile(path.join(b, 'big.bin'))), sha256(big));
    assert.doesNotMatch((await cluster.logs('node-b')).stderr, /did not stop cleanly/, 'the clean stop left no runtime file behind');
  });

  it('after a SIGKILL (as on an OOM kill) the entrypoint removes the stale runtime file and the node starts again', async () => {
    const cluster = await composeCluster();
    await cluster.writeFile(path.join(folderOf(cluster, 'node-a'), 'one.txt'), '1\n');
    await cluster.start(...cluster.hosts);
    await pollUntil(() => converged(cluster, 1), 'the first convergence', { timeoutMs: 120_000, intervalMs: 250, explain: explainTrees(cluster) });
    assert.equal(await cluster.stop('node-c', 'KILL'), 137);
    assert.ok(existsSync(path.join(cluster.home('node-c'), 'daemon.json')), 'a killed daemon leaves its runtime file');
    await cluster.writeFile(path.join(folderOf(cluster, 'node-a'), 'two.txt'), '2\n');
    await cluster.start('node-c');
    assert.match((await cluster.logs('node-c')).stderr, /removing .*daemon\.json left by a daemon that did not stop cleanly/);
    await pollUntil(() => converged(cluster, 2), 'node-c to catch up', { timeoutMs: 120_000, intervalMs: 250, explain: explainTrees(cluster) });
    const health = await cluster.exec('node-c', await cluster.healthcheckCommand('node-c'));
    assert.equal(health.code, 0, health.stderr);
  });
});
