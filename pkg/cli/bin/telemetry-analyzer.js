#!/usr/bin/env node
let main;
try {
  main = require('../dist/main.js');
} catch (error) {
  // A clone where the workspaces were never compiled (npm ci alone does not): say what to run, not a stack trace.
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('dist/main.js')) {
    process.stderr.write('telemetry-analyzer: not built yet: run `npm run build:pkg` in the repository first\n');
    process.exit(1);
  }
  throw error;
}
main.run();
