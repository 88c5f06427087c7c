/** Every subcommand, one row each. */
import type { Command } from '../command.js';
import { exportCommand } from './export.js';

export const commands: Command[] = [exportCommand];
