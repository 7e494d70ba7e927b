/**
 * The plugin archive passes the rules of Grafana's plugin validator that this app can break
 * (github.com/grafana/plugin-validator pkg/analysis/passes/includesnested/includesnested.go: every nested
 * plugin.json is declared in the app's `includes` by `path` and `type`; passes/archive: one top directory named after
 * the plugin id), and names and versions agree (scripts/check-plugin-archive.js, which CI also runs on the real zip).
 * The archive is laid out from the sources as create-plugin's webpack config copies them (.config/bundler/
 * copyFiles.ts: src/README.md, src/**\/*.json, ../CHANGELOG.md; %VERSION% etc. replaced from package.json).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { readJson, repoPath } from './stackFiles';

const { checkArchiveRoot } = require('../../scripts/check-plugin-archive.js') as {
  checkArchiveRoot(root: string): string[];
};

const version = readJson('package.json').version as string;

function jsonFilesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? jsonFilesIn(path) : entry.name.endsWith('.json') ? [path] : [];
  });
}

/** The archive's contents as `npm run build && npm run package` make them, without running webpack. */
function archiveFromSources(edit: (pluginJson: any) => void = () => {}): string {
  const root = mkdtempSync(join(tmpdir(), 'archive-'));
  const id = readJson('src/plugin.json').id as string;
  const pluginDir = join(root, id);
  const substitute = (text: string) =>
    text
      .replace(/%VERSION%/g, version)
      .replace(/%TODAY%/g, '2026-01-01')
      .replace(/%PLUGIN_ID%/g, id);
  for (const file of jsonFilesIn(repoPath('src'))) {
    const target = join(pluginDir, relative(repoPath('src'), file));
    mkdirSync(dirname(target), { recursive: true });
    let text = substitute(readFileSync(file, 'utf8'));
    if (target === join(pluginDir, 'plugin.json')) {
      const json = JSON.parse(text);
      edit(json);
      text = JSON.stringify(json);
    }
    writeFileSync(target, text);
  }
  writeFileSync(join(pluginDir, 'README.md'), substitute(readFileSync(repoPath('src/README.md'), 'utf8')));
  cpSync(repoPath('CHANGELOG.md'), join(pluginDir, 'CHANGELOG.md'));
  return root;
}

describe('plugin archive (plugin-validator rules)', () => {
  it('declares the nested panel by path and type, and agrees on name and version', () => {
    expect(checkArchiveRoot(archiveFromSources())).toEqual([]);
  });

  it('would be rejected with an includes entry for the panel that has no path (nested-plugins-not-declared)', () => {
    const root = archiveFromSources((plugin) => {
      plugin.includes = plugin.includes.map(({ path, ...entry }: any) =>
        entry.type === 'panel' ? entry : { ...entry, path }
      );
    });
    expect(checkArchiveRoot(root)).toEqual([
      'nested-plugins-not-declared: Nested plugin panels/anomaly/plugin.json is not declared parent plugin.json',
    ]);
  });

  it('would be rejected with the wrong type for the nested plugin (nested-plugin-type-missmatch)', () => {
    const root = archiveFromSources((plugin) => {
      plugin.includes = plugin.includes.map((entry: any) =>
        entry.type === 'panel' ? { ...entry, type: 'datasource' } : entry
      );
    });
    expect(checkArchiveRoot(root)).toEqual([
      'nested-plugin-type-missmatch: panels/anomaly/plugin.json declared as datasource but is panel',
    ]);
  });
});
