/** Tokens of the behaviour language. Whitespace (newlines included) separates tokens and is otherwise free. */
export type TokenKind = 'word' | '=' | ';' | '/' | 'other' | 'end';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly offset: number;
}

const WORD_CHAR = /[A-Za-z0-9_-]/;
const SPACE = /\s/;

/** Never throws: a character the language does not use becomes an `other` token, reported by the parser in context. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (SPACE.test(ch)) {
      i++;
    } else if (WORD_CHAR.test(ch)) {
      const start = i;
      while (i < text.length && WORD_CHAR.test(text[i] as string)) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), offset: start });
    } else if (ch === '=' || ch === ';' || ch === '/') {
      tokens.push({ kind: ch, text: ch, offset: i });
      i++;
    } else {
      const cp = text.codePointAt(i) as number;
      const char = String.fromCodePoint(cp);
      tokens.push({ kind: 'other', text: char, offset: i });
      i += char.length;
    }
  }
  tokens.push({ kind: 'end', text: '', offset: text.length });
  return tokens;
}
