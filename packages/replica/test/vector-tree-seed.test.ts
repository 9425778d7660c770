import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bumpVector, joinVectors, vectorLess, type VersionVector } from '@syncline/core';
import { tempDir } from '../../../test/helpers/tmp.js';
import {
  checkVectorTreeId,
  formatVectorTreeMetadata,
  initVectorTree,
  parseVectorTreeMetadata,
  readVectorTreeMetadata,
  VectorMetadataMalformedError,
  VectorMetadataMissingError,
  VectorTreeIdError,
} from '../src/vector-tree/index.js';

// Seed 004, "Version Vectors": its examples are the test vectors.
describe('vector trees: seed 004 version vectors (through core)', () => {
  const less: [VersionVector, VersionVector, boolean][] = [
    [{}, { A: 1 }, true],
    [{ A: 1 }, { A: 1 }, false],
    [{ A: 1 }, { A: 2, B: 3 }, true],
    [{ A: 1, B: 2 }, { B: 3 }, false],
    [{ A: 1, B: 2 }, { A: 3, B: 1 }, false],
    [{ A: 1, B: 2 }, { A: 1, B: 3 }, true],
  ];
  for (const [x, y, expected] of less) {
    it(`${JSON.stringify(x)} ${expected ? '<' : '≮'} ${JSON.stringify(y)}`, () => {
      assert.equal(vectorLess(x, y), expected);
    });
  }

  const joins: [VersionVector, VersionVector, VersionVector][] = [
    [{ A: 1 }, { A: 2 }, { A: 2 }],
    [{ A: 1 }, { B: 2 }, { A: 1, B: 2 }],
    [{ A: 1, B: 4, C: 2, D: 6 }, { B: 3, C: 2, D: 7, E: 9 }, { A: 1, B: 4, C: 2, D: 7, E: 9 }],
  ];
  for (const [x, y, expected] of joins) {
    it(`${JSON.stringify(x)} ⊔ ${JSON.stringify(y)} = ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(joinVectors(x, y), expected);
      assert.deepEqual(joinVectors(y, x), expected);
    });
  }

  it('a changed tree increments its counter, or sets it to 1 when absent', () => {
    assert.deepEqual(bumpVector({}, 'A'), { A: 1 });
    assert.deepEqual(bumpVector({ A: 1, B: 4 }, 'A'), { A: 2, B: 4 });
  });
});

describe('vector trees: metadata', () => {
  it('init writes the new-tree metadata exactly as the seed shows it', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const result = await initVectorTree('MyTree', dir);
      const text = await readFile(path.join(dir, '.vector-sync'), 'utf8');
      assert.equal(text, '{\n  "id": "MyTree",\n  "version_vector": {},\n  "file_hashes": {}\n}\n');
      assert.deepEqual(result.metadata, { id: 'MyTree', version_vector: {}, file_hashes: {} });
    } finally {
      await cleanup();
    }
  });

  it('formats and parses back a full record, keys in the seed order', () => {
    const metadata = { id: 'B', version_vector: { A: 2, B: 1 }, file_hashes: { 'a/b.txt': 'f'.repeat(64) } };
    const text = formatVectorTreeMetadata(metadata);
    assert.deepEqual(Object.keys(JSON.parse(text) as object), ['id', 'version_vector', 'file_hashes']);
    assert.deepEqual(parseVectorTreeMetadata(text, 'x'), metadata);
  });

  const malformed: [string, string, RegExp][] = [
    ['not JSON', '{"id": ', /not valid JSON/],
    ['an array', '[]', /not a JSON object/],
    ['no id', '{"version_vector": {}, "file_hashes": {}}', /"id"/],
    ['an empty id', '{"id": "", "version_vector": {}, "file_hashes": {}}', /"id"/],
    ['a negative counter', '{"id": "A", "version_vector": {"A": -1}, "file_hashes": {}}', /"version_vector"/],
    ['a fractional counter', '{"id": "A", "version_vector": {"A": 1.5}, "file_hashes": {}}', /"version_vector"/],
    ['file_hashes as a list', '{"id": "A", "version_vector": {}, "file_hashes": []}', /"file_hashes" must be an object/],
    ['a short hash', '{"id": "A", "version_vector": {}, "file_hashes": {"a": "abc"}}', /invalid SHA-256 for "a"/],
    ['a ".." path', `{"id": "A", "version_vector": {}, "file_hashes": {"../x": "${'0'.repeat(64)}"}}`, /invalid path "..\/x"/],
    ['an unknown field', '{"id": "A", "version_vector": {}, "file_hashes": {}, "extra": 1}', /unknown field "extra"/],
  ];
  for (const [what, text, reason] of malformed) {
    it(`rejects metadata with ${what}, naming the file`, () => {
      assert.throws(
        () => parseVectorTreeMetadata(text, '/t/.vector-sync'),
        (err: unknown) => err instanceof VectorMetadataMalformedError && err.message.startsWith('/t/.vector-sync is malformed: ') && reason.test(err.message),
      );
    });
  }

  it('reports missing metadata with the path and what to do', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await assert.rejects(readVectorTreeMetadata(dir), (err: unknown) => {
        assert.ok(err instanceof VectorMetadataMissingError);
        assert.equal(err.code, 'SYNCLINE_VECTOR_METADATA_MISSING');
        assert.match(err.message, new RegExp(`^${escape(path.join(dir, '.vector-sync'))} not found.*vector init`));
        return true;
      });
      await writeFile(path.join(dir, '.vector-sync'), 'nope');
      await assert.rejects(readVectorTreeMetadata(dir), VectorMetadataMalformedError);
    } finally {
      await cleanup();
    }
  });
});

describe('vector trees: tree IDs', () => {
  for (const good of ['MyTree', 'a', '7', 'laptop-2.home_x', 'x'.repeat(64)]) {
    it(`accepts ${JSON.stringify(good.length > 10 ? `${good.slice(0, 8)}…` : good)}`, () => assert.equal(checkVectorTreeId(good), good));
  }
  for (const bad of ['', 'x'.repeat(65), '-x', '.x', '_x', 'a b', 'a/b', 'tr\u00e9e', 'a\tb', '__proto__']) {
    it(`refuses ${JSON.stringify(bad.length > 10 ? `${bad.slice(0, 8)}…` : bad)}`, () => {
      assert.throws(() => checkVectorTreeId(bad), (err: unknown) => err instanceof VectorTreeIdError && err.code === 'SYNCLINE_VECTOR_INVALID_ID');
    });
  }
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
