// Loaded (--require) by a training worker when the proxy runs from its TypeScript sources (jest, the integration
// tests), where no compiled trainingWorker.js exists: .ts files go through swc and the engine package resolves to
// its sources, as jest's moduleNameMapper does. The built proxy (dist/) never loads this file.
const Module = require('node:module');
const path = require('node:path');
const { addHook } = require('pirates');
const { transformSync } = require('@swc/core');

const engineSources = path.resolve(__dirname, '../../../engine/src/index.ts');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, request === '@telemetry-analyzer/engine' ? engineSources : request, ...rest);
};
addHook(
  (code, filename) =>
    transformSync(code, {
      filename,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    }).code,
  { exts: ['.ts'] }
);
