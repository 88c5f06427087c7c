/** Every subcommand, one row each. */
import type { Command } from '../command.js';
import { bench } from './bench.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { checkCommand } from './check.js';
import { runCommand } from './run.js';
import { reference } from './reference.js';
import { analyze } from './analyze.js';
import { train } from './train.js';
import { demo } from './demo.js';

export const commands: Command[] = [
  // One per line, so that commands added in parallel merge without conflicts.
  checkCommand,
  runCommand,
  importCommand,
  exportCommand,
  reference,
  bench,
  analyze,
  train,
  demo,
];
