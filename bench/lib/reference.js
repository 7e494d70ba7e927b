// Runs the Python reference (Debian's python3-sklearn / python3-pandas) on data written by the JS side.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, '..', 'reference', 'sklearn_bench.py');

function hasSklearn() {
  return spawnSync(PYTHON, ['-c', 'import sklearn, pandas'], { stdio: 'ignore' }).status === 0;
}

/** Writes a typed array to a temp file for the Python side; returns the path. */
function writeTemp(array, suffix) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ta-bench-')), `data.${suffix}`);
  fs.writeFileSync(file, Buffer.from(array.buffer, array.byteOffset, array.byteLength));
  return file;
}

function runReference(args) {
  const result = spawnSync(PYTHON, [SCRIPT, ...args.map(String)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) {
    throw new Error(`reference failed: ${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

module.exports = { hasSklearn, writeTemp, runReference };
