import { CommanderError } from 'commander';
import { SynclineError } from '@syncline/core';
import { buildProgram } from './program.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USER_ERROR } from './exit-codes.js';
import { ExitWith } from './user-error.js';
import './commands/index.js';

/** Runs the CLI; returns the exit code. User errors print one line, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof ExitWith) return err.exitCode;
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT_OK : EXIT_USER_ERROR;
    }
    if (err instanceof SynclineError && isUserFacing(err)) {
      process.stderr.write(`syncline: ${err.message}\n`);
      return EXIT_USER_ERROR;
    }
    process.stderr.write(`syncline: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_INTERNAL;
  }
}

/** Internal bugs keep their stack; errors about the user's input or environment do not. */
function isUserFacing(err: SynclineError): boolean {
  return err.code !== 'SYNCLINE_INTERNAL';
}
