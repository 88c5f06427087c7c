/**
 * Every subcommand of the engine, one row each. The benchmark (bench/command.ts) is added by the
 * CLI's entry, bin/backprop-studio.js: the engine doesn't import the harness.
 */
import type { Command } from '../command.js';
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
  analyze,
  train,
  demo,
];
