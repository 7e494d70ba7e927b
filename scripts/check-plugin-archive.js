#!/usr/bin/env node
/**
 * Checks a plugin archive (the zip of `npm run package`, or a directory laid out like its contents) with the rules
 * of Grafana's plugin validator (github.com/grafana/plugin-validator, pkg/analysis/passes/) that a new version of
 * this plugin could break, plus this project's own consistency rules:
 *  - archive: exactly one top directory, named after the plugin id;
 *  - nestedmetadata + includesnested: every plugin.json below the top one is a nested plugin that the app's
 *    `includes` declares with its `path` (relative to the archive's plugin directory) and the same `type`
 *    (rules nested-plugins-not-declared, nested-plugin-missing-type, nested-plugin-type-missmatch);
 *  - jargon: no developer jargon in the README (rule developer-jargon);
 *  - the README is written for the catalog page, not create-plugin's template; plugin.json, the README's title and
 *    the CHANGELOG agree on the name and the version.
 * Usage: node scripts/check-plugin-archive.js <archive.zip | directory>; exit 1 with one line per problem.
 */
const { execFileSync } = require('node:child_process');
const { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, relative, sep } = require('node:path');

const PLUGIN_NAME = 'Telemetry Analyzer';

function pluginJsonFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return pluginJsonFiles(path);
    }
    return entry.name === 'plugin.json' ? [path] : [];
  });
}

/** Problems of an unpacked archive: `root` holds the archive's top-level entries. */
function checkArchiveRoot(root) {
  const problems = [];
  const top = readdirSync(root);
  if (top.length !== 1 || !statSync(join(root, top[0])).isDirectory()) {
    return [`archive: expected one top directory named after the plugin id, found ${JSON.stringify(top)}`];
  }
  const pluginDir = join(root, top[0]);
  const mainPath = join(pluginDir, 'plugin.json');
  if (!existsSync(mainPath)) {
    return ['missing-metadata: no plugin.json in the plugin directory'];
  }
  const main = JSON.parse(readFileSync(mainPath, 'utf8'));
  if (main.id !== top[0]) {
    problems.push(`archive: the top directory is "${top[0]}" but the plugin id is "${main.id}"`);
  }
  const includes = main.includes ?? [];
  for (const file of pluginJsonFiles(pluginDir)) {
    if (file === mainPath) {
      continue;
    }
    const key = relative(pluginDir, file).split(sep).join('/');
    const nested = JSON.parse(readFileSync(file, 'utf8'));
    if (main.type !== 'app') {
      problems.push(`nested-plugin-id-in-non-app: ${key} is nested in a plugin of type ${main.type}`);
      continue;
    }
    const include = includes.find((entry) => entry.path === key);
    if (!include) {
      problems.push(`nested-plugins-not-declared: Nested plugin ${key} is not declared parent plugin.json`);
    } else if (!include.type) {
      problems.push(`nested-plugin-missing-type: Nested plugin ${key} is missing type`);
    } else if (include.type !== nested.type) {
      problems.push(`nested-plugin-type-missmatch: ${key} declared as ${include.type} but is ${nested.type}`);
    }
  }
  problems.push(...checkNamesAndVersions(pluginDir, main));
  return problems;
}

function checkNamesAndVersions(pluginDir, main) {
  const problems = [];
  if (main.name !== PLUGIN_NAME) {
    problems.push(`name: plugin.json names the app "${main.name}", not "${PLUGIN_NAME}"`);
  }
  const readmePath = join(pluginDir, 'README.md');
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '';
  if (readme === '') {
    problems.push('readme: the archive has no README.md (Grafana shows it as the catalog page)');
  } else if (/<!--|create-plugin|Uncomment and replace/.test(readme)) {
    problems.push("readme: README.md is create-plugin's template (comments and placeholders), not the catalog page");
  } else if (!readme.startsWith(`# ${PLUGIN_NAME}\n`)) {
    problems.push(`readme: README.md should start with "# ${PLUGIN_NAME}"`);
  }
  // passes/jargon/jargon.go: developer words in the catalog page.
  const jargon = ['yarn', 'nodejs'].filter((word) => readme.includes(word));
  if (jargon.length > 0) {
    problems.push(`developer-jargon: README.md contains developer jargon: (${jargon.join(', ')})`);
  }
  const version = main.info?.version;
  const changelogPath = join(pluginDir, 'CHANGELOG.md');
  const changelog = existsSync(changelogPath) ? readFileSync(changelogPath, 'utf8') : '';
  const latest = /^## (\S+)/m.exec(changelog)?.[1];
  if (latest !== version) {
    problems.push(`version: plugin.json says ${version}, the CHANGELOG's latest entry ${latest}`);
  }
  return problems;
}

function checkArchive(path) {
  if (statSync(path).isDirectory()) {
    return checkArchiveRoot(path);
  }
  const root = mkdtempSync(join(tmpdir(), 'plugin-archive-'));
  try {
    execFileSync('unzip', ['-q', path, '-d', root]);
    return checkArchiveRoot(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

module.exports = { checkArchive, checkArchiveRoot, PLUGIN_NAME };

if (require.main === module) {
  const [path] = process.argv.slice(2);
  if (!path) {
    console.error('usage: check-plugin-archive.js <archive.zip | directory>');
    process.exit(2);
  }
  const problems = checkArchive(path);
  for (const problem of problems) {
    console.error(`${path}: ${problem}`);
  }
  if (problems.length === 0) {
    console.log(`${path}: passes the plugin validator's archive and nested-plugin rules`);
  }
  process.exit(problems.length === 0 ? 0 : 1);
}
