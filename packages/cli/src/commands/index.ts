// Every command module registers itself here; main.ts imports this file once.
import { registerCommands } from '../program.js';

registerCommands();
