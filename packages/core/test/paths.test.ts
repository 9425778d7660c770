import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import { checkRelativePath, comparePaths, isValidRelativePath, ancestorPaths, InvalidPathError } from '../src/index.js';

const seed = Number(process.env.SYNCLINE_SEED ?? Date.now() % 2 ** 31);

describe('path rules', () => {
  for (const bad of ['', '/etc/passwd', '../x', 'a/../../x', 'a//b', './a', 'a/./b', 'a/', '.syncline', '.syncline/db/x', 'a\0b', 'a\\..\\b']) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => checkRelativePath(bad), InvalidPathError);
    });
  }
  for (const good of ['a', 'a/b/c.txt', 'sub/.syncline', '.synclineignore', 'é', '..a', 'a..']) {
    it(`accepts ${JSON.stringify(good)}`, () => assert.equal(checkRelativePath(good), good.normalize('NFC')));
  }
  it('normalises to NFC', () => {
    assert.equal(checkRelativePath('e\u0301'), '\u00e9');
    assert.equal(isValidRelativePath('e\u0301'), false);
  });
  it('orders a directory right before its contents', () => {
    const sorted = ['a.txt', 'a/b', 'a', 'b', 'a/b/c'].sort(comparePaths);
    assert.deepEqual(sorted, ['a', 'a/b', 'a/b/c', 'a.txt', 'b']);
    assert.deepEqual(ancestorPaths('a/b/c'), ['a', 'a/b']);
  });
  it('anything accepted stays inside the root (fast-check)', () => {
    console.log(`    fast-check seed ${seed} (replay: SYNCLINE_SEED=${seed})`);
    const segment = fc.oneof(fc.constantFrom('..', '.', '', '.syncline', 'a', 'b', '\\', '/', '\0', '~'), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), fc.boolean(), (segs, absolute) => {
        const p = (absolute ? '/' : '') + segs.join('/');
        let accepted: string;
        try {
          accepted = checkRelativePath(p);
        } catch {
          return;
        }
        const root = '/replica/root';
        const resolved = path.posix.resolve(root, accepted);
        assert.ok(resolved.startsWith(root + '/'), `${p} escapes: ${resolved}`);
        assert.ok(!resolved.startsWith(root + '/.syncline/') && resolved !== root + '/.syncline', `${p} reaches .syncline`);
      }),
      { seed, numRuns: 2000 },
    );
  });
});
