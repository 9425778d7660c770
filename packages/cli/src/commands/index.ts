// Every command module registers itself here; main.ts imports this file once.
import { registerCommands } from '../program.js';
import { compareCommand } from './compare.js';
import { syncCommand } from './sync.js';
import { vectorCommands } from './vector.js';
import { daemonCommands } from './daemon.js';
import { pairingCommands } from './pairing.js';
import { demoCommand } from './demo.js';
import { behaviourCommands } from './behaviour.js';
import { conflictsCommand } from './conflicts.js';

registerCommands(syncCommand, compareCommand, vectorCommands);
registerCommands(daemonCommands, pairingCommands, demoCommand);
registerCommands(behaviourCommands);
registerCommands(conflictsCommand);
