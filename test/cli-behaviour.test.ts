import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, type CliResult } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at /, 'no stack trace for a user error');
const ok = (r: CliResult, code = 0) => assert.equal(r.code, code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);

/** Every file and directory below root except .syncline, sorted. */
async function listAll(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (r === '.syncline') continue;
    out.push(r);
    if (e.isDirectory()) out.push(...(await listAll(root, r)));
  }
  return out.sort();
}

const read = (root: string, p: string) => readFile(path.join(root, p), 'utf8').catch(() => null);

describe('syncline behaviour (real child processes)', function () {
  this.timeout(180_000);
  let dir: string;
  let cleanup: () => Promise<void>;
  let a: string;
  let b: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('syncline-behaviour-'));
    a = path.join(dir, 'a');
    b = path.join(dir, 'b');
    await mkdir(a);
    await mkdir(b);
  });
  afterEach(() => cleanup());

  it('define, attach, list (--json), detach and undefine', async () => {
    ok(await runCli(['sync', a, b]));
    const defined = await runCli(['behaviour', 'define', 'follow_a', 'import if different and remote_added / modified;delete if different and remote_deleted', '--dir', b]);
    ok(defined);
    assert.match(defined.stdout, /defined follow_a in .*: import if different and remote_added\/modified; delete if different and remote_deleted/);
    ok(await runCli(['behaviour', 'attach', 'follow_a', '--dir', b, '--peer', a]));
    ok(await runCli(['behaviour', 'attach', 'keep_both', '--dir', b, '--path', 'docs/']));

    const listed = await runCli(['behaviour', 'list', '--dir', a, '--dir', b, '--json']);
    ok(listed);
    const out = JSON.parse(listed.stdout);
    assert.deepEqual(
      out.builtins.map((x: { name: string }) => x.name),
      ['remote_is_master', 'local_is_master', 'newest_wins', 'keep_both', 'mirror'],
    );
    assert.equal(
      out.builtins.find((x: { name: string }) => x.name === 'remote_is_master').rules,
      'import if different and remote_added/modified; delete if different and remote_deleted',
    );
    const [fa, fb] = out.folders;
    assert.equal(fa.dir, a);
    assert.deepEqual(fa.definitions, []);
    assert.deepEqual(fa.attachments, []);
    assert.match(fa.replica, /^[a-z2-7]{13}$/);
    assert.deepEqual(fb.definitions, [{ name: 'follow_a', rules: 'import if different and remote_added/modified; delete if different and remote_deleted' }]);
    assert.deepEqual(fb.attachments, [
      { behaviour: 'follow_a', peer: fa.replica, peerLabel: a },
      { behaviour: 'keep_both', path: 'docs' },
    ]);

    const text = await runCli(['behaviour', 'list'], { cwd: b });
    ok(text);
    assert.match(text.stdout, /built-in behaviours:\n {2}remote_is_master +import if different/);
    assert.match(text.stdout, new RegExp(`follow_a to the whole folder for peer ${a} \\(${fa.replica}\\)`));
    assert.match(text.stdout, /keep_both to docs\n/);

    const inUse = await runCli(['behaviour', 'undefine', 'follow_a', '--dir', b]);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /^syncline: follow_a is still attached in 1 place; detach it first/);
    noStack(inUse.stderr);

    const wrongName = await runCli(['behaviour', 'detach', 'mirror', '--dir', b, '--peer', a]);
    assert.equal(wrongName.code, 1);
    assert.match(wrongName.stderr, /nothing is attached to the whole folder for peer/);
    ok(await runCli(['behaviour', 'detach', 'follow_a', '--dir', b, '--peer', fa.replica]));
    ok(await runCli(['behaviour', 'detach', '--dir', b, '--path', 'docs']));
    ok(await runCli(['behaviour', 'undefine', 'follow_a', '--dir', b]));
    const after = JSON.parse((await runCli(['behaviour', 'list', '--dir', b, '--json'])).stdout);
    assert.deepEqual(after.folders[0].definitions, []);
    assert.deepEqual(after.folders[0].attachments, []);
  });

  it('shows a rules syntax error with a caret under the offending word, exit 1, and stores nothing', async () => {
    const r = await runCli(['behaviour', 'define', 'careful', 'import if diferent and remote_added', '--dir', b]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'syncline: expected a condition (local_added, local_deleted, local_modified, local_unchanged, remote_added, remote_deleted, ' +
        'remote_modified, remote_unchanged, remote_size_bigger, remote_size_smaller, remote_size_same, remote_fresher_yes, ' +
        'remote_fresher_no, remote_fresher_maybe, different, same) at column 11, found "diferent" (did you mean "different"?)\n' +
        '  import if diferent and remote_added\n' +
        '            ^^^^^^^^\n',
    );
    assert.equal(existsSync(path.join(b, '.syncline')), false, 'nothing was written for a text that does not parse');

    const badName = await runCli(['behaviour', 'define', '9lives', 'import', '--dir', b]);
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /^syncline: expected a behaviour name .*\n {2}9lives\n {2}\^{6}\n$/);
  });

  it('refuses what cannot work, without a stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['behaviour', 'define', 'remote_is_master', 'import'], /remote_is_master is a built-in behaviour and cannot be redefined/],
      [['behaviour', 'attach', 'no_such_thing'], /unknown behaviour "no_such_thing": define it first/],
      [['behaviour', 'attach', 'mirror', '--peer', '.'], /a folder is not its own peer/],
      [['behaviour', 'attach', 'mirror', '--path', '../x'], /invalid behaviour attachment/],
      [['behaviour', 'attach', 'mirror', '--folder', a], /--folder .* names a folder, so the behaviour is stored in that folder/],
    ];
    ok(await runCli(['sync', a, b]));
    for (const [args, message] of cases) {
      const r = await runCli([...args, '--dir', b], { cwd: b });
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      noStack(r.stderr);
    }
    const nowhere = await runCli(['behaviour', 'define', 'x', 'import'], { cwd: dir });
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.stderr, /name the folder with --dir DIR: the current directory .* is not a synced folder/);
  });

  it('remote_is_master on B for peer A (and local_is_master on A for peer B): concurrent edits end as A\'s version, no conflict copy', async () => {
    await writeFile(path.join(a, 'notes.txt'), 'base\n');
    ok(await runCli(['sync', a, b]));
    ok(await runCli(['behaviour', 'define', 'follow_a', 'import if different and remote_added/modified; delete if different and remote_deleted', '--dir', b]));
    ok(await runCli(['behaviour', 'attach', 'follow_a', '--dir', b, '--peer', a]));
    ok(await runCli(['behaviour', 'attach', 'local_is_master', '--dir', a, '--peer', b]));
    await writeFile(path.join(a, 'notes.txt'), 'edit on A\n');
    await writeFile(path.join(b, 'notes.txt'), 'edit on B, seen later\n');

    const preview = await runCli(['compare', a, b]);
    ok(preview);
    assert.match(preview.stdout, /notes\.txt += +update +#1 local_is_master rule 1: export if different and local_added\/modified \(peer attachment\); #2 follow_a rule 1: import if different and remote_added\/modified \(peer attachment\)/);

    const r = await runCli(['sync', a, b, '--json']);
    ok(r);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual(summary.conflicts, []);
    assert.deepEqual(summary.waiting, []);
    for (const root of [a, b]) {
      assert.deepEqual(await listAll(root), ['notes.txt']);
      assert.equal(await read(root, 'notes.txt'), 'edit on A\n');
    }
    const again = await runCli(['compare', a, b]);
    assert.match(again.stdout, /nothing to do/);
  });

  it('remote_is_master on B alone: B takes A\'s version, and A keeps B\'s concurrent edit as a conflict copy (nothing is lost)', async () => {
    await writeFile(path.join(a, 'notes.txt'), 'base\n');
    ok(await runCli(['sync', a, b]));
    ok(await runCli(['behaviour', 'attach', 'remote_is_master', '--dir', b, '--peer', a]));
    await writeFile(path.join(b, 'notes.txt'), 'edit on B\n');
    await writeFile(path.join(a, 'notes.txt'), 'edit on A\n');
    const r = await runCli(['sync', a, b]);
    ok(r, 2);
    for (const root of [a, b]) {
      assert.equal(await read(root, 'notes.txt'), 'edit on A\n');
      const names = await listAll(root);
      assert.equal(names.length, 2);
      assert.match(names[0]!, /^notes\.sync-conflict-\d{8}-\d{6}-[a-z2-7]{13}\.txt$/);
    }
  });

  it("reproduces the seed's remote_is_master table (3×3) on real folders", async () => {
    // B follows A: remote_is_master on B for peer A, its mirror image on A for peer B.
    // p_<local>_<remote>: what B (local) and A (remote) did to the path since the last sync.
    const local = ['added', 'deleted', 'modified'] as const;
    const remote = ['added', 'deleted', 'modified'] as const;
    const name = (l: string, r: string) => `p_${l}_${r}.txt`;
    for (const l of local) {
      for (const r of remote) {
        // deleted/modified need the path in the last sync; added needs it absent there.
        if (l !== 'added' && r !== 'added') await writeFile(path.join(a, name(l, r)), 'base\n');
      }
    }
    ok(await runCli(['sync', a, b]));
    ok(await runCli(['behaviour', 'attach', 'remote_is_master', '--dir', b, '--peer', a]));
    ok(await runCli(['behaviour', 'attach', 'local_is_master', '--dir', a, '--peer', b]));

    // A side that "deletes" a path the other side never had: it creates it, is scanned, then deletes it.
    // A side that "modifies" a path the other side never had: it creates it, is scanned, then edits it.
    for (const l of local) {
      for (const r of remote) {
        if (l === 'added' && r !== 'added') await writeFile(path.join(a, name(l, r)), 'A before\n');
        if (r === 'added' && l !== 'added') await writeFile(path.join(b, name(l, r)), 'B before\n');
      }
    }
    ok(await runCli(['compare', a, b])); // scans both, syncs nothing
    for (const l of local) {
      for (const r of remote) {
        const p = name(l, r);
        if (r === 'deleted') await rm(path.join(a, p));
        else await writeFile(path.join(a, p), `A ${r}\n`);
        if (l === 'deleted') await rm(path.join(b, p));
        else await writeFile(path.join(b, p), `B ${l}\n`);
      }
    }
    const r = await runCli(['sync', a, b, '--json']);
    ok(r);
    assert.deepEqual(JSON.parse(r.stdout).conflicts, []);

    // The seed: remote added or modified → import (A's version); remote deleted → delete.
    const expected: string[] = [];
    for (const l of local) {
      for (const rem of remote) {
        const p = name(l, rem);
        const want = rem === 'deleted' ? null : `A ${rem}\n`;
        if (want !== null) expected.push(p);
        for (const root of [a, b]) assert.equal(await read(root, p), want, `${p} in ${root === a ? 'A' : 'B'}`);
      }
    }
    for (const root of [a, b]) assert.deepEqual(await listAll(root), expected.sort(), 'no conflict copies');
  });

  it('precedence: file > directory > peer > folder > default, a behaviour without a matching rule deferring to the next', async () => {
    const files = ['docs/special.txt', 'docs/other.txt', 'docs/quiet.txt', 'grow.txt', 'shrink.txt', 'same.txt'];
    await mkdir(path.join(a, 'docs'));
    for (const f of files) await writeFile(path.join(a, f), 'base-content\n');
    ok(await runCli(['sync', a, b]));
    const define = (n: string, rules: string) => runCli(['behaviour', 'define', n, rules, '--dir', b]);
    ok(await define('on_file', 'delete if remote_modified'));
    ok(await define('on_quiet', 'delete if remote_modified and remote_size_bigger'));
    ok(await define('on_dir', 'ask if remote_modified'));
    ok(await define('on_peer', 'export if remote_modified and remote_size_bigger'));
    ok(await define('on_folder', 'delete if remote_modified and remote_size_smaller'));
    const attach = (...args: string[]) => runCli(['behaviour', 'attach', ...args]);
    ok(await attach('on_folder', '--folder', b));
    ok(await attach('on_peer', '--dir', b, '--peer', a));
    ok(await attach('on_dir', '--dir', b, '--path', 'docs'));
    ok(await attach('on_file', '--dir', b, '--path', 'docs/special.txt'));
    ok(await attach('on_quiet', '--dir', b, '--path', path.join(b, 'docs/quiet.txt')));

    const grown = 'base-content, grown on A\n';
    const shrunk = 'base\n';
    const same = 'BASE-CONTENT\n';
    await writeFile(path.join(a, 'docs/special.txt'), grown);
    await writeFile(path.join(a, 'docs/other.txt'), grown);
    await writeFile(path.join(a, 'docs/quiet.txt'), shrunk);
    await writeFile(path.join(a, 'grow.txt'), grown);
    await writeFile(path.join(a, 'shrink.txt'), shrunk);
    await writeFile(path.join(a, 'same.txt'), same);

    const preview = await runCli(['compare', a, b, '--json']);
    ok(preview);
    const why = Object.fromEntries(
      JSON.parse(preview.stdout).changes.map((c: { path: string; decisions?: { behaviour: string; scope: string }[] }) => [
        c.path,
        c.decisions?.map((d) => `${d.behaviour}/${d.scope}`).join(',') ?? 'default',
      ]),
    );
    assert.deepEqual(why, {
      'docs/other.txt': 'on_dir/directory',
      'docs/quiet.txt': 'on_dir/directory',
      'docs/special.txt': 'on_file/file',
      'grow.txt': 'on_peer/peer',
      'same.txt': 'default',
      'shrink.txt': 'on_folder/folder',
    });

    const r = await runCli(['sync', a, b]);
    ok(r, 2); // the asks wait for the user
    const base = 'base-content\n';
    const state = async (p: string) => [await read(a, p), await read(b, p)];
    assert.deepEqual(await state('docs/special.txt'), [null, null], 'file: deleted on both');
    assert.deepEqual(await state('docs/other.txt'), [grown, base], 'directory: parked, both untouched');
    assert.deepEqual(await state('docs/quiet.txt'), [shrunk, base], 'file rule does not hold: the directory parks it');
    assert.deepEqual(await state('grow.txt'), [base, base], "peer: B's version wins back on A");
    assert.deepEqual(await state('shrink.txt'), [null, null], 'folder: deleted on both');
    assert.deepEqual(await state('same.txt'), [same, same], 'default: the newer version');
    assert.match(r.stdout, /waiting for you: .*\/b\/docs\/other\.txt \(modified; on_dir rule 1: ask if remote_modified \(directory attachment\)\)/);
  });
});
