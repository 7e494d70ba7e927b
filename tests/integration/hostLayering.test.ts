/**
 * Layering of the hosts (AGENTS/common rules, docs/scale.md): the panel (src/), the proxy (pkg/proxy), the writer
 * (pkg/writer) and the CLI (pkg/cli) never import each other's code; what they share lives in @telemetry-analyzer/engine
 * and @telemetry-analyzer/query. The writer takes the query grammar, the upstream clients, the evaluator and the model
 * store from @telemetry-analyzer/query, the code the proxy answers with. The one exception is the CLI's `serve` and
 * `run` commands, which start the proxy and the writer through their packages' exports, loaded on demand.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { repoPath } from './stackFiles';

const HOSTS = { panel: 'src', proxy: 'pkg/proxy/src', writer: 'pkg/writer/src', cli: 'pkg/cli/src' } as const;
const PACKAGE_OF: Record<string, keyof typeof HOSTS> = {
  '@telemetry-analyzer/proxy': 'proxy',
  '@telemetry-analyzer/writer': 'writer',
  '@telemetry-analyzer/cli': 'cli',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      return name === 'node_modules' || name === 'dist' ? [] : sourceFiles(path);
    }
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

/** Every module specifier a file imports (static, dynamic, re-export, require). */
function importsOf(file: string): Array<{ specifier: string; dynamic: boolean }> {
  const text = readFileSync(file, 'utf8');
  const found: Array<{ specifier: string; dynamic: boolean }> = [];
  for (const match of text.matchAll(/(?:\bfrom\s+|\bimport\s+)['"]([^'"]+)['"]/g)) {
    found.push({ specifier: match[1], dynamic: false });
  }
  for (const match of text.matchAll(/\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push({ specifier: match[1], dynamic: true });
  }
  return found;
}

/** The host a resolved path belongs to, if any. */
function hostOf(path: string): keyof typeof HOSTS | undefined {
  const rel = relative(repoPath(''), path);
  return (Object.keys(HOSTS) as Array<keyof typeof HOSTS>).find((host) => {
    const root = HOSTS[host] === 'src' ? 'src/' : `${HOSTS[host].replace(/\/src$/, '')}/`;
    return rel.startsWith(root);
  });
}

describe('host layering', () => {
  it.each(Object.keys(HOSTS) as Array<keyof typeof HOSTS>)('%s imports no other host', (host) => {
    const crossings: string[] = [];
    for (const file of sourceFiles(repoPath(HOSTS[host]))) {
      for (const { specifier, dynamic } of importsOf(file)) {
        const other = specifier.startsWith('.') ? hostOf(resolve(file, '..', specifier)) : PACKAGE_OF[specifier];
        if (other === undefined || other === host) {
          continue;
        }
        const rel = relative(repoPath(''), file);
        // `telemetry-analyzer serve` / `run` start the proxy / writer through their package exports, on demand.
        const allowed =
          dynamic &&
          ((rel === 'pkg/cli/src/commands/serve.ts' && other === 'proxy') ||
            (rel === 'pkg/cli/src/commands/run.ts' && other === 'writer'));
        if (!allowed) {
          crossings.push(`${rel} imports ${specifier} (${other})`);
        }
      }
    }
    expect(crossings).toEqual([]);
  });

  it("the writer scores with the proxy's shared pieces from @telemetry-analyzer/query", () => {
    const imported = new Set<string>();
    for (const file of sourceFiles(repoPath(HOSTS.writer))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@telemetry-analyzer\/query'/g)) {
        match[1].split(',').forEach((name) => imported.add(name.replace(/^\s*type\s+/, '').trim()));
      }
    }
    // The grammar, the upstream clients, the evaluator and the model store the proxy answers with.
    expect([...imported]).toEqual(
      expect.arrayContaining(['parseQuery', 'UpstreamHttp', 'AnomalyEvaluator', 'ModelStore', 'ModelRepository'])
    );
    const proxyImports = sourceFiles(repoPath(HOSTS.proxy)).flatMap((file) =>
      importsOf(file).map(({ specifier }) => specifier)
    );
    expect(proxyImports).toContain('@telemetry-analyzer/query');
  });
});
