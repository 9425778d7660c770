export { main } from './main.js';
export { buildProgram, registerCommands, type CommandModule } from './program.js';
export * from './exit-codes.js';
export * from './user-error.js';
