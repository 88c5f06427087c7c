/** Every subcommand, one row each. */
import type { Command } from '../command.js';
import { bench } from './bench.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { reference } from './reference.js';
import { analyze } from './analyze.js';

export const commands: Command[] = [importCommand, exportCommand, reference, bench, analyze];
