import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../../../test/helpers/tmp.js';
import { IGNORE_FILE, loadIgnoreRules, parseIgnoreRules } from '../src/ignore-rules.js';

describe('ignore rules', () => {
  it('match gitignore glob patterns at any depth, or anchored with a leading slash', () => {
    const rules = parseIgnoreRules('*.log\n/top.txt\ncache/*.tmp\n');
    assert.equal(rules.ignores('a.log', false), true);
    assert.equal(rules.ignores('deep/er/b.log', false), true);
    assert.equal(rules.ignores('a.txt', false), false);
    assert.equal(rules.ignores('top.txt', false), true);
    assert.equal(rules.ignores('sub/top.txt', false), false);
    assert.equal(rules.ignores('cache/x.tmp', false), true);
    assert.equal(rules.ignores('cache/x.txt', false), false);
  });

  it('apply a trailing-slash pattern to directories only, and to everything below them', () => {
    const rules = parseIgnoreRules('build/\n');
    assert.equal(rules.ignores('build', true), true);
    assert.equal(rules.ignores('build', false), false);
    assert.equal(rules.ignores('build/out.js', false), true);
    assert.equal(rules.ignores('src/build', true), true);
  });

  it('let a negation re-include what an earlier pattern excluded', () => {
    const rules = parseIgnoreRules('*.log\n!keep.log\n');
    assert.equal(rules.ignores('drop.log', false), true);
    assert.equal(rules.ignores('keep.log', false), false);
    assert.equal(rules.ignores('sub/keep.log', false), false);
  });

  it('are case-sensitive on every platform', () => {
    const rules = parseIgnoreRules('*.LOG\n');
    assert.equal(rules.ignores('a.LOG', false), true);
    assert.equal(rules.ignores('a.log', false), false);
  });

  it('always ignore .syncline at the root, and only there', () => {
    for (const rules of [parseIgnoreRules(''), parseIgnoreRules('!.syncline\n!.syncline/\n')]) {
      assert.equal(rules.ignores('.syncline', true), true);
      assert.equal(rules.ignores('.syncline/db/CURRENT', false), true);
      assert.equal(rules.ignores('sub/.syncline', true), false);
      assert.equal(rules.ignores('.synclinex', false), false);
    }
  });

  it('treat blank lines and comments as no rules', () => {
    const rules = parseIgnoreRules('# nothing here\n\n   \n');
    assert.equal(rules.empty, true);
    assert.equal(rules.ignores('anything', false), false);
    assert.equal(parseIgnoreRules('x\n').empty, false);
  });

  describe('loadIgnoreRules', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ dir, cleanup } = await tempDir()));
    afterEach(() => cleanup());

    it('reads .synclineignore at the root', async () => {
      await writeFile(path.join(dir, IGNORE_FILE), 'secret/\n*.bak\n');
      const rules = await loadIgnoreRules(dir);
      assert.equal(rules.ignores('secret', true), true);
      assert.equal(rules.ignores('x.bak', false), true);
      assert.equal(rules.ignores(IGNORE_FILE, false), false, 'the ignore file itself is synced');
    });

    it('gives no rules when the file is missing', async () => {
      const rules = await loadIgnoreRules(dir);
      assert.equal(rules.empty, true);
      assert.equal(rules.ignores('x.bak', false), false);
    });

    it('does not follow a symlinked ignore file', async () => {
      await mkdir(path.join(dir, 'elsewhere'));
      await writeFile(path.join(dir, 'elsewhere', 'rules'), '*\n');
      await symlink('elsewhere/rules', path.join(dir, IGNORE_FILE));
      const rules = await loadIgnoreRules(dir);
      assert.equal(rules.ignores('x', false), false);
    });
  });
});
