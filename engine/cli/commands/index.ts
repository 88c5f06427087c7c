/** Every subcommand, one row each. */
import type { Command } from '../command.js';
import { reference } from './reference.js';

export const commands: Command[] = [reference];
