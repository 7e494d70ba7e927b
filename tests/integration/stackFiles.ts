/** The committed files of the demo stack (provisioning/, deploy/, docker-compose.yaml), parsed for the tests. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const REPO_ROOT = resolve(__dirname, '../..');

export function repoPath(relative: string): string {
  return join(REPO_ROOT, relative);
}

/** Parses a YAML file of the repository; YAML errors (and warnings, e.g. duplicate keys) fail with the file name. */
export function readYaml<T = any>(relative: string): T {
  const text = readFileSync(repoPath(relative), 'utf8');
  try {
    return parse(text, { strict: true, uniqueKeys: true, prettyErrors: true }) as T;
  } catch (error) {
    throw new Error(`${relative} is not valid YAML: ${(error as Error).message}`);
  }
}

export function readJson<T = any>(relative: string): T {
  return JSON.parse(readFileSync(repoPath(relative), 'utf8')) as T;
}

/** YAML files of a provisioning folder, e.g. provisioning/alerting. */
export function yamlFilesIn(relativeDir: string): string[] {
  const dir = repoPath(relativeDir);
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => `${relativeDir}/${name}`);
}

/** Every datasource of provisioning/datasources/*.yaml. */
export function provisionedDatasources(): Array<{
  name: string;
  type: string;
  uid: string;
  url: string;
  access: string;
  jsonData?: any;
}> {
  return yamlFilesIn('provisioning/datasources').flatMap((file) => readYaml(file).datasources ?? []);
}

/** Every alert rule of provisioning/alerting/*.yaml, with its group. */
export function provisionedAlertRules(): Array<{ group: any; rule: any }> {
  return yamlFilesIn('provisioning/alerting').flatMap((file) =>
    (readYaml(file).groups ?? []).flatMap((group: any) => (group.rules ?? []).map((rule: any) => ({ group, rule })))
  );
}

/** The PromQL the Grafana rule sends to the anomaly datasource (its refId A query). */
export function ruleExpression(rule: any): string {
  const query = rule.data.find((entry: any) => entry.datasourceUid !== '__expr__');
  return query.model.expr;
}

/** docker-compose.yaml with the `x-` extension blocks and merge keys resolved (as `docker compose config` would). */
export function loadCompose(): { services: Record<string, any>; volumes?: Record<string, unknown> } {
  const text = readFileSync(repoPath('docker-compose.yaml'), 'utf8');
  return parse(text, { merge: true, strict: true, uniqueKeys: true }) as any;
}

/** The argv of a compose service's command (list form). */
export function composeCommand(service: string): string[] {
  const command = loadCompose().services[service]?.command;
  if (!Array.isArray(command)) {
    throw new Error(`docker-compose.yaml: services.${service}.command must be a list of arguments`);
  }
  return command.map(String);
}
