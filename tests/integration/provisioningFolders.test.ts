/**
 * The dashboards and the alert rules of provisioning/ land in ONE folder, whatever order Grafana provisions them
 * in. Grafana's two readers find folders differently, mirrored here from Grafana's source:
 *  - dashboards (pkg/services/provisioning/dashboards/file_reader.go, getOrCreateFolder): by `folderUid` when the
 *    provider sets one, else by title (`folder`); when none is found, a folder with that title (and that uid, or a
 *    generated one) is created;
 *  - alert rules (pkg/services/provisioning/alerting/rules_provisioner.go, getOrCreateFolderFullpath →
 *    getOrCreateFolderByTitle): by title only, each "/"-separated part of `folder` under the previous one; when
 *    none is found, a folder with that title and a generated uid is created.
 * A provider with a folderUid therefore makes a second folder with the same title whenever the rules come first.
 */
import { provisionedAlertRules, readYaml, yamlFilesIn } from './stackFiles';

interface Folder {
  uid: string;
  title: string;
  parentUid: string;
  orgId: number;
}

class FolderStore {
  readonly folders: Folder[] = [];
  private generated = 0;

  byUid(orgId: number, uid: string): Folder | undefined {
    return this.folders.find((f) => f.orgId === orgId && f.uid === uid);
  }

  byTitle(orgId: number, title: string, parentUid = ''): Folder | undefined {
    return this.folders.find((f) => f.orgId === orgId && f.title === title && f.parentUid === parentUid);
  }

  create(orgId: number, title: string, uid?: string, parentUid = ''): Folder {
    const folder = { orgId, title, parentUid, uid: uid ?? `generated-${++this.generated}` };
    this.folders.push(folder);
    return folder;
  }
}

/** file_reader.go getOrCreateFolder, for each dashboard provider (foldersFromFilesStructure: false). */
function provisionDashboards(store: FolderStore): string[] {
  return yamlFilesIn('provisioning/dashboards').flatMap((file) =>
    (readYaml(file).providers ?? []).map((provider: any) => {
      expect(provider.options?.foldersFromFilesStructure ?? false).toBe(false);
      const orgId = provider.orgId ?? 1;
      const found = provider.folderUid ? store.byUid(orgId, provider.folderUid) : store.byTitle(orgId, provider.folder);
      return (found ?? store.create(orgId, provider.folder, provider.folderUid || undefined)).uid;
    })
  );
}

/** rules_provisioner.go getOrCreateFolderFullpath, for each rule group (folder titles split on unescaped "/"). */
function provisionAlertRules(store: FolderStore): string[] {
  const groups = [...new Set(provisionedAlertRules().map(({ group }) => group))];
  return groups.map((group: any) => {
    const orgId = Math.max(group.orgId ?? 1, 1);
    let parentUid = '';
    for (const title of String(group.folder)
      .split(/(?<!\\)\//)
      .map((t) => t.replace(/\\\//g, '/'))) {
      parentUid = (store.byTitle(orgId, title, parentUid) ?? store.create(orgId, title, undefined, parentUid)).uid;
    }
    return parentUid;
  });
}

describe('provisioned folders', () => {
  it.each([
    ['dashboards first', [provisionDashboards, provisionAlertRules]],
    ['alert rules first', [provisionAlertRules, provisionDashboards]],
  ])('%s: one folder holds the dashboards and the alert rules', (_, order) => {
    const store = new FolderStore();
    const uids = order.flatMap((provision) => provision(store));
    expect(uids.length).toBeGreaterThanOrEqual(2);
    expect(new Set(uids).size).toBe(1);
    expect(store.folders.map((f) => f.title)).toEqual(['Telemetry Analyzer']);
  });
});
