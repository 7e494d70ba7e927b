// Builds pkg/engine, pkg/query, pkg/proxy (for `serve`), pkg/writer (for `run`) and pkg/cli with tsc, where their dist
// is older than their sources, so the end-to-end tests run the current sources through the real bin.
const { buildWorkspaces } = require('../../buildWorkspaces');

module.exports = async () => {
  buildWorkspaces();
};
