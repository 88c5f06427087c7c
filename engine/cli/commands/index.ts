/** Every subcommand, one row each. */
import type { Command } from '../command.js';
import { importCommand } from './import.js';

export const commands: Command[] = [importCommand];
