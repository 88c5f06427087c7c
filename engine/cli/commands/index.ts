/** Every subcommand, one row each. */
import type { Command } from '../command.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { checkCommand } from './check.js';
import { runCommand } from './run.js';

export const commands: Command[] = [checkCommand, runCommand, importCommand, exportCommand];
