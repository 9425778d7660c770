import { Command } from 'commander';

/** Each command module adds its subcommands to the program. */
export type CommandModule = (program: Command) => void;

const modules: CommandModule[] = [];

export function registerCommands(...more: CommandModule[]): void {
  modules.push(...more);
}

export function buildProgram(): Command {
  const program = new Command('syncline')
    .description('Peer-to-peer folder sync: keeps folders identical across directories and machines, with no server.')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  for (const add of modules) add(program);
  return program;
}
