/**
 * The vmalert command line the docs show (docs/alerting.md, the ```sh block after the `vmalert-command` marker), so
 * the integration test starts vmalert with exactly the documented flags: if the docs drop one vmalert needs, the
 * test fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const MARKER = '<!-- vmalert-command:';

/** The documented command's flags, e.g. ['-rule=/etc/vmalert/anomaly-rules.yml', ..., '-rule.validateExpressions=false']. */
export function documentedVmalertFlags(doc = 'docs/alerting.md'): string[] {
  const text = readFileSync(join(__dirname, '../..', doc), 'utf8');
  const at = text.indexOf(MARKER);
  const block = at < 0 ? undefined : /```sh\n([\s\S]*?)```/.exec(text.slice(at))?.[1];
  if (block === undefined) {
    throw new Error(`${doc} has no \`\`\`sh block after "${MARKER}"`);
  }
  const words = block.replace(/\\\n/g, ' ').trim().split(/\s+/);
  if (words[0] !== 'vmalert') {
    throw new Error(`the documented command in ${doc} does not start with vmalert: ${block}`);
  }
  return words.slice(1).map((flag) => flag.replace(/"/g, ''));
}

/** `-name=value` → name (with the dash) and value. */
export function splitFlag(flag: string): [string, string] {
  const equals = flag.indexOf('=');
  return equals < 0 ? [flag, ''] : [flag.slice(0, equals), flag.slice(equals + 1)];
}
