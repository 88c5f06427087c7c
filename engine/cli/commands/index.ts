/** Every subcommand, one row each. */
import type { Command } from '../command.js';
import { bench } from './bench.js';

export const commands: Command[] = [bench];
