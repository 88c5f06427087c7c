#!/usr/bin/env node
// The command-line tool. Runs the TypeScript sources through tsx so it works right after
// `npm ci` with no build step.
'use strict';
require('tsx/cjs');
require('../engine/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
