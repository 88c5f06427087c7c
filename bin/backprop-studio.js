#!/usr/bin/env node
// The command-line tool. Runs the TypeScript sources through tsx so it works right after
// `npm ci` with no build step.
'use strict';
require('tsx/cjs');
// The engine's commands, and the benchmark, which lives beside its harness in bench/ (the engine
// never imports bench/: test/architecture.test.ts).
const { bench } = require('../bench/command.ts');
require('../engine/cli/main.ts')
  .main(process.argv.slice(2), [bench])
  .then((code) => process.exit(code));
