import { SynclineError } from '../errors.js';

/** Where in a text something went wrong: 0-based offset, 1-based line and column. */
export interface TextPosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

export function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/**
 * A behaviour or rules text that does not parse. `found` is the offending token as
 * written (or `end of text`), `expected` says what would have been accepted there.
 */
export class BehaviourSyntaxError extends SynclineError implements TextPosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;

  constructor(
    readonly text: string,
    offset: number,
    /** Length of the offending token (0 at the end of the text). */
    readonly length: number,
    readonly found: string,
    readonly expected: string,
    readonly hint?: string,
  ) {
    const at = positionAt(text, offset);
    const where = text.includes('\n') ? `line ${at.line}, column ${at.column}` : `column ${at.column}`;
    const shown = length === 0 ? 'the end of the text' : JSON.stringify(found);
    super('SYNCLINE_BEHAVIOUR_SYNTAX', `expected ${expected} at ${where}, found ${shown}${hint ? ` (${hint})` : ''}`);
    this.offset = at.offset;
    this.line = at.line;
    this.column = at.column;
  }

  /** The message, then the offending line with carets under the token. */
  format(): string {
    const lines = this.text.split('\n');
    const lineText = lines[this.line - 1] ?? '';
    // Keep tabs in the padding so the caret lines up however tabs are rendered.
    const pad = lineText.slice(0, this.column - 1).replace(/[^\t]/g, ' ');
    const width = Math.max(1, Math.min(this.length, lineText.length - (this.column - 1)));
    return `${this.message}\n  ${lineText}\n  ${pad}${'^'.repeat(width)}`;
  }
}

/** An attachment or lookup names a behaviour that is neither defined nor built in. */
export class UnknownBehaviourError extends SynclineError {
  constructor(readonly behaviour: string) {
    super(
      'SYNCLINE_BEHAVIOUR_UNKNOWN',
      `unknown behaviour ${JSON.stringify(behaviour)}: define it first (syncline behaviour define NAME RULES) or use a built-in`,
    );
  }
}

/** An attachment that cannot apply anywhere (bad path, behaviour name missing). */
export class InvalidAttachmentError extends SynclineError {
  constructor(reason: string) {
    super('SYNCLINE_BEHAVIOUR_ATTACHMENT', `invalid behaviour attachment: ${reason}`);
  }
}

/** A range list or glob given to select queued paths that cannot be used. */
export class SelectionError extends SynclineError {
  constructor(readonly spec: string, reason: string) {
    super('SYNCLINE_SELECTION', `cannot select ${JSON.stringify(spec)}: ${reason}`);
  }
}
