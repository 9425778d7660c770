import { BehaviourSyntaxError } from './errors.js';
import { tokenize, type Token } from './lexer.js';
import {
  COMMANDS,
  CONDITION_NAMES,
  DIMENSIONS,
  conditionName,
  isCommand,
  isDimensionValue,
  lookupCondition,
  type Behaviour,
  type Condition,
  type DimensionName,
  type Rule,
} from './model.js';
import { closestName } from './suggest.js';

/*
 * Grammar (whitespace and newlines between tokens are free):
 *
 *   behaviour := NAME "=" rules
 *   rules     := rule (";" rule)* [";"]          -- one trailing ";" is tolerated
 *   rule      := COMMAND ["if" condition ("and" condition)*]   -- no "if" = always
 *   condition := CONDITION ("/" VALUE)*         -- values of one dimension: either holds
 *
 * After "/" a value may be written bare (`remote_added/modified`) or in full
 * (`remote_added/remote_modified`); naming another dimension there is an error.
 */

export const BEHAVIOUR_NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

const EXPECT_NAME = 'a behaviour name (a letter or "_", then letters, digits, "_" or "-"; at most 64)';
const EXPECT_COMMAND = `a command (${COMMANDS.join(', ')})`;
const EXPECT_AFTER_COMMAND = '"if", ";" or the end of the rules';
const EXPECT_CONDITION = `a condition (${CONDITION_NAMES.join(', ')})`;
const EXPECT_AFTER_CONDITION = '"and", "/", ";" or the end of the rules';

/** Parses `NAME=RULES`, e.g. the seed's `remote_is_master=import if different and remote_added/modified; …`. */
export function parseBehaviour(text: string): Behaviour {
  const parser = new Parser(text);
  const name = parser.behaviourName();
  parser.expect('=', '"=" after the behaviour name');
  const rules = parser.rules();
  return { name, rules };
}

/** Parses the part after `=`: the CLI's `syncline behaviour define NAME RULES`. */
export function parseRules(text: string): readonly Rule[] {
  return new Parser(text).rules();
}

/** Throws BehaviourSyntaxError unless `name` can name a behaviour. */
export function checkBehaviourName(name: string): string {
  if (!BEHAVIOUR_NAME_RE.test(name)) throw new BehaviourSyntaxError(name, 0, name.length, name, EXPECT_NAME);
  return name;
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  behaviourName(): string {
    const token = this.peek();
    if (token.kind !== 'word' || !BEHAVIOUR_NAME_RE.test(token.text)) throw this.error(token, EXPECT_NAME);
    this.index++;
    return token.text;
  }

  expect(kind: Token['kind'], expected: string): void {
    const token = this.peek();
    if (token.kind !== kind) throw this.error(token, expected);
    this.index++;
  }

  rules(): Rule[] {
    const rules = [this.rule()];
    while (this.peek().kind === ';') {
      this.index++;
      if (this.peek().kind === 'end') break;
      rules.push(this.rule());
    }
    const last = this.peek();
    if (last.kind !== 'end') throw this.error(last, this.afterRuleExpectation(rules));
    return rules;
  }

  private afterRuleExpectation(rules: Rule[]): string {
    const last = rules[rules.length - 1] as Rule;
    return last.conditions.length === 0 ? EXPECT_AFTER_COMMAND : EXPECT_AFTER_CONDITION;
  }

  private rule(): Rule {
    const token = this.peek();
    if (token.kind !== 'word' || !isCommand(token.text)) {
      throw this.error(token, EXPECT_COMMAND, token.kind === 'word' ? suggestion(token.text, COMMANDS) : undefined);
    }
    this.index++;
    const conditions: Condition[] = [];
    if (this.peekWord('if')) {
      this.index++;
      conditions.push(this.condition());
      while (this.peekWord('and')) {
        this.index++;
        conditions.push(this.condition());
      }
    }
    return { command: token.text, conditions };
  }

  private condition(): Condition {
    const token = this.peek();
    const first = token.kind === 'word' ? lookupCondition(token.text) : undefined;
    if (!first) {
      throw this.error(token, EXPECT_CONDITION, token.kind === 'word' ? suggestion(token.text, CONDITION_NAMES) : undefined);
    }
    this.index++;
    const dimension = first.dimension;
    const values = [first.value];
    while (this.peek().kind === '/') {
      this.index++;
      const value = this.alternative(dimension);
      if (!values.includes(value)) values.push(value);
    }
    return { dimension, anyOf: values } as Condition;
  }

  private alternative(dimension: DimensionName): string {
    const token = this.peek();
    const allowed = DIMENSIONS[dimension].values;
    const expected = `another value of ${describeDimension(dimension)} (${allowed.join(', ')})`;
    if (token.kind !== 'word') throw this.error(token, expected);
    if (isDimensionValue(dimension, token.text)) {
      this.index++;
      return token.text;
    }
    const full = lookupCondition(token.text);
    if (full && full.dimension === dimension) {
      this.index++;
      return full.value;
    }
    if (full) {
      throw this.error(
        token,
        expected,
        `"/" joins values of one dimension; to require both, write "and ${token.text}"`,
      );
    }
    const written = allowed.flatMap((v) => [v, conditionName(dimension, v)]);
    throw this.error(token, expected, suggestion(token.text, written));
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private peekWord(word: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.text === word;
  }

  private error(token: Token, expected: string, hint?: string): BehaviourSyntaxError {
    return new BehaviourSyntaxError(this.text, token.offset, token.text.length, token.text, expected, hint);
  }
}

function describeDimension(dimension: DimensionName): string {
  return dimension === 'content' ? 'different/same' : dimension;
}

function suggestion(word: string, candidates: readonly string[]): string | undefined {
  const near = closestName(word, candidates);
  return near === undefined ? undefined : `did you mean "${near}"?`;
}
