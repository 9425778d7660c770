import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BUILTIN_BEHAVIOUR_TEXTS,
  BehaviourSyntaxError,
  COMMANDS,
  DIMENSIONS,
  DIMENSION_NAMES,
  formatBehaviour,
  formatRules,
  parseBehaviour,
  parseRules,
  type Behaviour,
  type Condition,
  type Rule,
} from '../src/behaviour/index.js';
import { SynclineError } from '../src/index.js';

const SEED_ONE_LINE =
  'remote_is_master=import if different and remote_added/modified; delete if different and remote_deleted';
// As seed 002 lays it out: the second rule on its own line, indented with tabs.
const SEED_AS_WRITTEN =
  'remote_is_master=import if different and remote_added/modified;\n\t\t\t\tdelete if different and remote_deleted';

const SEED_AST: Behaviour = {
  name: 'remote_is_master',
  rules: [
    {
      command: 'import',
      conditions: [
        { dimension: 'content', anyOf: ['different'] },
        { dimension: 'remote', anyOf: ['added', 'modified'] },
      ],
    },
    {
      command: 'delete',
      conditions: [
        { dimension: 'content', anyOf: ['different'] },
        { dimension: 'remote', anyOf: ['deleted'] },
      ],
    },
  ],
};

function syntaxError(fn: () => unknown): BehaviourSyntaxError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof BehaviourSyntaxError, `expected BehaviourSyntaxError, got ${String(e)}`);
    assert.ok(e instanceof SynclineError);
    assert.equal(e.code, 'SYNCLINE_BEHAVIOUR_SYNTAX');
    return e;
  }
  assert.fail('parsed without error');
}

describe('behaviour parser', () => {
  it("parses the seed's remote_is_master exactly", () => {
    assert.deepEqual(parseBehaviour(SEED_ONE_LINE), SEED_AST);
    assert.deepEqual(parseBehaviour(SEED_AS_WRITTEN), SEED_AST);
    assert.equal(BUILTIN_BEHAVIOUR_TEXTS.remote_is_master, SEED_ONE_LINE);
  });

  it('prints the seed back in canonical form', () => {
    assert.equal(formatBehaviour(parseBehaviour(SEED_AS_WRITTEN)), SEED_ONE_LINE);
  });

  it('takes whitespace and newlines anywhere between tokens', () => {
    const spaced = ' remote_is_master =\n import\tif different\nand remote_added / modified ;delete if different and remote_deleted ; ';
    assert.deepEqual(parseBehaviour(spaced), SEED_AST);
  });

  it('reads a rule without "if" as always, and tolerates one trailing ";"', () => {
    assert.deepEqual(parseRules('ask;'), [{ command: 'ask', conditions: [] }]);
    assert.deepEqual(parseRules('ignore_once if same; rename_both'), [
      { command: 'ignore_once', conditions: [{ dimension: 'content', anyOf: ['same'] }] },
      { command: 'rename_both', conditions: [] },
    ]);
  });

  it('accepts alternatives written in full and drops repeated values', () => {
    assert.deepEqual(parseRules('import if remote_size_bigger/remote_size_same/bigger and different/same'), [
      {
        command: 'import',
        conditions: [
          { dimension: 'remote_size', anyOf: ['bigger', 'same'] },
          { dimension: 'content', anyOf: ['different', 'same'] },
        ],
      },
    ]);
  });

  it('parses every condition of every dimension and every command', () => {
    for (const dimension of DIMENSION_NAMES) {
      for (const value of DIMENSIONS[dimension].values) {
        const name = `${DIMENSIONS[dimension].prefix}${value}`;
        assert.deepEqual(parseRules(`ask if ${name}`)[0]?.conditions, [{ dimension, anyOf: [value] }], name);
      }
    }
    for (const command of COMMANDS) assert.equal(parseRules(command)[0]?.command, command);
  });

  it('parses every built-in and prints it back unchanged', () => {
    for (const [name, text] of Object.entries(BUILTIN_BEHAVIOUR_TEXTS)) {
      const parsed = parseBehaviour(text);
      assert.equal(parsed.name, name);
      assert.equal(formatBehaviour(parsed), text);
    }
  });
});

describe('behaviour parser errors', () => {
  it('reports an unknown condition with position, expectation and a suggestion', () => {
    const text = 'remote_is_master=import if different and remote_addd';
    const e = syntaxError(() => parseBehaviour(text));
    assert.equal(e.offset, text.indexOf('remote_addd'));
    assert.equal(e.line, 1);
    assert.equal(e.column, text.indexOf('remote_addd') + 1);
    assert.equal(e.found, 'remote_addd');
    assert.match(e.expected, /^a condition \(local_added, local_deleted, .*different, same\)$/);
    assert.match(e.message, /^expected a condition \(local_added, .*\) at column 42, found "remote_addd" \(did you mean "remote_added"\?\)$/);
  });

  it('shows the offending line with carets under the token', () => {
    const text = 'remote_is_master=import if different and remote_addd';
    const e = syntaxError(() => parseBehaviour(text));
    const [message, line, caret] = e.format().split('\n');
    assert.equal(message, e.message);
    assert.equal(line, `  ${text}`);
    assert.equal(caret, `  ${' '.repeat(41)}^^^^^^^^^^^`);
  });

  it('points into the right line of a multi-line text, keeping tabs for alignment', () => {
    const text = 'x=import if different;\n\tdelet if remote_deleted';
    const e = syntaxError(() => parseBehaviour(text));
    assert.deepEqual([e.line, e.column, e.offset, e.found], [2, 2, 24, 'delet']);
    assert.match(e.message, /^expected a command \(import, .*\) at line 2, column 2, found "delet" \(did you mean "delete"\?\)$/);
    assert.equal(e.format().split('\n')[2], '  \t^^^^^');
  });

  const cases: { name: string; text: string; rulesOnly?: boolean; offset: number; found: string; expected: RegExp }[] = [
    { name: 'empty text', text: '', offset: 0, found: '', expected: /^a behaviour name/ },
    { name: 'name not followed by "="', text: 'master import', offset: 7, found: 'import', expected: /^"=" after the behaviour name$/ },
    { name: 'bad behaviour name', text: '9lives=import', offset: 0, found: '9lives', expected: /^a behaviour name/ },
    { name: 'no rules', text: 'master=', offset: 7, found: '', expected: /^a command \(import, export, delete, ignore, ignore_once, rename_both, ask\)$/ },
    { name: 'unknown command', text: 'imprt if different', rulesOnly: true, offset: 0, found: 'imprt', expected: /^a command/ },
    { name: 'empty rule between ";"', text: 'import;; delete', rulesOnly: true, offset: 7, found: ';', expected: /^a command/ },
    { name: '"if" without a condition', text: 'import if', rulesOnly: true, offset: 9, found: '', expected: /^a condition/ },
    { name: '"and" without a condition', text: 'import if same and ;', rulesOnly: true, offset: 19, found: ';', expected: /^a condition/ },
    { name: 'mixing two dimensions', text: 'import if local_added/remote_deleted', rulesOnly: true, offset: 22, found: 'remote_deleted', expected: /^another value of local \(added, deleted, modified, unchanged\)$/ },
    { name: 'unknown value after "/"', text: 'import if remote_size_bigger/huge', rulesOnly: true, offset: 29, found: 'huge', expected: /^another value of remote_size \(bigger, smaller, same\)$/ },
    { name: 'dangling "/"', text: 'import if different/', rulesOnly: true, offset: 20, found: '', expected: /^another value of different\/same/ },
    { name: 'trailing garbage after a condition', text: 'import if different remote_added', rulesOnly: true, offset: 20, found: 'remote_added', expected: /^"and", "\/", ";" or the end of the rules$/ },
    { name: 'trailing garbage after a command', text: 'import now', rulesOnly: true, offset: 7, found: 'now', expected: /^"if", ";" or the end of the rules$/ },
    { name: 'a character the language does not use', text: 'import if different & same', rulesOnly: true, offset: 20, found: '&', expected: /^"and", "\/"/ },
    { name: 'a second "="', text: 'a=import=b', offset: 8, found: '=', expected: /^"if", ";"/ },
    { name: 'upper-case command', text: 'IMPORT', rulesOnly: true, offset: 0, found: 'IMPORT', expected: /^a command/ },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () => {
      const e = syntaxError(() => (c.rulesOnly ? parseRules(c.text) : parseBehaviour(c.text)));
      assert.equal(e.offset, c.offset);
      assert.equal(e.found, c.found);
      assert.match(e.expected, c.expected);
      assert.equal(e.column, c.offset + 1);
      // The caret line always points at the offset, even at the end of the text.
      const caret = e.format().split('\n')[2] as string;
      assert.equal(caret.indexOf('^'), 2 + c.offset);
    });
  }

  it('says how to combine two dimensions, and suggests near names', () => {
    assert.match(syntaxError(() => parseRules('import if local_added/remote_deleted')).message, /write "and remote_deleted"/);
    assert.match(syntaxError(() => parseRules('ignore-once')).message, /did you mean "ignore_once"/);
    assert.match(syntaxError(() => parseRules('IMPORT')).message, /did you mean "import"/);
    assert.doesNotMatch(syntaxError(() => parseRules('zzzzzzzz')).message, /did you mean/);
  });
});

describe('behaviour formatting round-trip (fast-check)', () => {
  const conditionArb: fc.Arbitrary<Condition> = fc.constantFrom(...DIMENSION_NAMES).chain((dimension) =>
    fc
      .shuffledSubarray([...DIMENSIONS[dimension].values] as string[], { minLength: 1 })
      .map((anyOf) => ({ dimension, anyOf }) as Condition),
  );
  const ruleArb: fc.Arbitrary<Rule> = fc.record({
    command: fc.constantFrom(...COMMANDS),
    conditions: fc.array(conditionArb, { maxLength: 4 }),
  }, { noNullPrototype: true });
  const behaviourArb: fc.Arbitrary<Behaviour> = fc.record({
    name: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,20}$/),
    rules: fc.array(ruleArb, { minLength: 1, maxLength: 5 }),
  }, { noNullPrototype: true });
  const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);

  it('parse(format(b)) gives b back, however the tokens are spaced', () => {
    console.log(`      fast-check seed ${seed} (replay with FC_SEED=${seed})`);
    const blank = fc.constantFrom('', ' ', '\n', '\t', '  \n ');
    fc.assert(
      fc.property(behaviourArb, fc.array(blank, { minLength: 1, maxLength: 8 }), (behaviour, blanks) => {
        const canonical = formatBehaviour(behaviour);
        assert.deepEqual(parseBehaviour(canonical), behaviour);
        assert.deepEqual(parseRules(formatRules(behaviour.rules)), behaviour.rules);
        // Re-space: every run of spaces becomes arbitrary whitespace (never empty between words),
        // and punctuation gets arbitrary whitespace around it.
        let n = 0;
        const next = (): string => blanks[n++ % blanks.length] as string;
        const respaced = canonical
          .replace(/ +/g, () => ` ${next()}`)
          .replace(/[=;/]/g, (p) => `${next()}${p}${next()}`);
        assert.deepEqual(parseBehaviour(respaced), behaviour);
      }),
      { seed, numRuns: 300 },
    );
  });
});
