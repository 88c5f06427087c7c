/** Every subcommand, one row each. */
import type { Command } from '../command.js';
import { bench } from './bench.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { checkCommand } from './check.js';
import { runCommand } from './run.js';
import { reference } from './reference.js';
import { demo } from './demo.js';
import { analyze } from './analyze.js';

export const commands: Command[] = [
  checkCommand,
  runCommand,
  importCommand,
  exportCommand,
  reference,
  demo,
  bench,
  analyze,
];
