/**
 * One Node.js version policy: the supported range in every package.json's `engines`, the versions the README names,
 * the Node of the GitHub workflow and of the compose stack agree, and no installed package demands a Node the range
 * admits not (what npm reports as EBADENGINE on install).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { readJson, repoPath } from './stackFiles';

// semver (npm's own range rules) ships no types, and only these three are needed.
const semver = require('semver') as {
  satisfies(version: string, range: string): boolean;
  intersects(a: string, b: string): boolean;
  minVersion(range: string): { version: string } | null;
};

const range: string = readJson('package.json').engines.node;
/** The lowest version of each supported line, e.g. 20.19.0, 22.13.0, 24.0.0. */
const lowestSupported = range.split('||').map((part) => semver.minVersion(part.trim())!.version);

describe('Node.js version policy', () => {
  it('is one range, in the root and in every workspace', () => {
    for (const workspace of readJson('package.json').workspaces as string[]) {
      expect({ workspace, node: readJson(`${workspace}/package.json`).engines?.node }).toEqual({
        workspace,
        node: range,
      });
    }
  });

  it.each(lowestSupported)('lets npm install on Node %s without an engine warning', (version) => {
    const lock = readJson('package-lock.json');
    const refusing = Object.entries(lock.packages as Record<string, { engines?: unknown }>)
      .map(([name, entry]) => [name, (entry.engines as { node?: string } | undefined)?.node] as const)
      .filter(([, node]) => typeof node === 'string' && !semver.satisfies(version, node));
    expect(refusing).toEqual([]);
  });

  it('is what the README names and what CI and the compose stack run', () => {
    const readme = readFileSync(repoPath('README.md'), 'utf8');
    expect(readme).toContain('Node.js 22 or 24');
    expect(readme).toContain(`\`${range}\``);
    const workflow = parse(readFileSync(repoPath('.github/workflows/ci.yml'), 'utf8'));
    const versions = Object.values(
      workflow.jobs as Record<string, { steps?: Array<{ with?: { 'node-version'?: string } }> }>
    )
      .flatMap((job) => job.steps ?? [])
      .map((step) => step.with?.['node-version'])
      .filter((v): v is string => v !== undefined);
    expect(versions.length).toBeGreaterThan(0);
    for (const version of versions) {
      expect({ version, supported: semver.intersects(version, range) }).toEqual({
        version,
        supported: true,
      });
    }
    // setup-node's "22" is the newest 22.x, as the compose stack's node:22 image.
    const images = Object.values(
      parse(readFileSync(repoPath('docker-compose.yaml'), 'utf8'), { merge: true }).services as Record<
        string,
        { image?: string }
      >
    )
      .map((service) => /^node:(\d+)/.exec(service.image ?? '')?.[1])
      .filter((major): major is string => major !== undefined);
    expect(images.length).toBeGreaterThan(0);
    for (const major of images) {
      expect({ major, supported: semver.intersects(major, range) }).toEqual({ major, supported: true });
    }
    expect(semver.satisfies(process.version, range)).toBe(true);
  });
});
