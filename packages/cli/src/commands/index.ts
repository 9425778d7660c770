// Every command module registers itself here; main.ts imports this file once.
import { registerCommands } from '../program.js';
import { compareCommand } from './compare.js';
import { syncCommand } from './sync.js';
import { vectorCommands } from './vector.js';

registerCommands(syncCommand, compareCommand, vectorCommands);
