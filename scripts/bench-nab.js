#!/usr/bin/env node
// `npm run bench:nab` (not part of CI): scores the CLI's online mode on the NAB development subset in ../shared/nab-dev
// with NAB's own scorer (its score.py), prints NAB's three scores, and records them in docs/detection.md between the
// `nab-scores` markers. Extra arguments go to `detect` (e.g. `npm run bench:nab -- --horizon 2000`).
// Needs the CLI built (`npm run build:pkg`) and /usr/bin/python3 with pandas.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const scorer = path.join(root, '..', 'shared', 'nab-dev', 'score.py');
if (!fs.existsSync(scorer)) {
  console.error(`bench:nab: ${scorer} not found (the NAB development subset lives in ../shared/nab-dev)`);
  process.exit(2);
}
const extra = process.argv.slice(2);
const started = Date.now();
const output = execFileSync('/usr/bin/python3', [scorer, root, ...(extra.length ? ['--', ...extra] : [])], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
process.stdout.write(output);
const match = /standard (\S+) lowFP (\S+) lowFN (\S+) refused (\d+)/.exec(output);
if (!match) {
  console.error('bench:nab: no score line in the scorer output');
  process.exit(1);
}
const [, standard, lowFP, lowFN, refused] = match;
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
const date = new Date().toISOString().slice(0, 10);
const flags = extra.length ? `\`${extra.join(' ')}\`` : 'defaults';
const row = `| ${date} | ${commit} | ${flags} | ${standard} | ${lowFP} | ${lowFN} | ${refused} |`;

const docPath = path.join(root, 'docs', 'detection.md');
const doc = fs.readFileSync(docPath, 'utf8');
const start = '<!-- nab-scores:start -->';
const end = '<!-- nab-scores:end -->';
const [before, rest] = doc.split(start);
const [table, after] = rest.split(end);
const lines = table.trim().split('\n');
fs.writeFileSync(docPath, `${before}${start}\n${[...lines, row].join('\n')}\n${end}${after}`);
console.log(`bench:nab: recorded in docs/detection.md (${Math.round((Date.now() - started) / 1000)} s)`);
