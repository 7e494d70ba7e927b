import { config, hasAnyPermission } from '@grafana/runtime';

/**
 * What lets Grafana take the POST of a rule through its provisioning API, which the panel's form uses (grafana/grafana
 * pkg/services/ngalert/api/authorization.go, POST /api/v1/provisioning/alert-rules, alike in v12.3 and 13): any of
 * alert.provisioning:write, alert.rules.provisioning:write, or alert.rules:create together with
 * alert.provisioning.provenance:write (ac.EvalAll). A user holding none of these is refused with a 403.
 */
export const RULE_CREATING_PERMISSIONS: ReadonlyArray<readonly string[]> = [
  ['alert.provisioning:write'],
  ['alert.rules.provisioning:write'],
  ['alert.rules:create', 'alert.provisioning.provenance:write'],
];

/**
 * Grafana grants alert.provisioning.provenance:write to Editors and Admins only (fixed:alerting.provisioning.provenance:
 * writer, pkg/services/ngalert/accesscontrol.go): Edit on a folder (alert.rules:create there) does not give it.
 */
export const NO_RULE_PERMISSION =
  'You may not create alert rules from this panel: it creates them through Grafana’s provisioning API, which needs ' +
  'alert.rules:create together with alert.provisioning.provenance:write (Editors and Admins hold both; Edit on a ' +
  'folder gives only the first), or alert.rules.provisioning:write. Ask an admin, then reload the page.';

/**
 * Why the user certainly may not create alert rules, or undefined when they may, or when it cannot be told.
 *
 * Grafana's index page hands the frontend every action the user holds, at any scope (pkg/api/index.go
 * setIndexViewData: GetUserPermissions, then BuildPermissionsMap), with the action sets of folder and dashboard
 * permissions expanded (pkg/services/accesscontrol/acimpl/service.go getUserPermissions). An action missing from a map
 * that holds others is therefore not held, at least when the page loaded. Grafana refreshes contextSrv.user's
 * permissions later (public/app/core/services/context_srv.ts fetchUserPermissions), not bootData's: @grafana/runtime's
 * hasAnyPermission reads that user (setCurrentUser(contextSrv.user) in public/app/app.ts), and one held there counts.
 *
 * No map, or an empty one (every signed-in Grafana user holds some actions: a host without Grafana's RBAC data), says
 * nothing. Nor does the basic role: a custom role may grant any of the actions to anyone.
 */
export function ruleCreationRefusal(): string | undefined {
  const permissions = config.bootData?.user?.permissions;
  if (!permissions || Object.keys(permissions).length === 0) {
    return undefined;
  }
  const held = (action: string) => Boolean(permissions[action]) || heldNow([action]);
  return RULE_CREATING_PERMISSIONS.some((all) => all.every(held)) ? undefined : NO_RULE_PERMISSION;
}

/** Whether contextSrv's user, as Grafana last read it, holds one of the actions; false where it cannot be read. */
function heldNow(actions: string[]): boolean {
  try {
    // Older Grafana versions' runtime may lack it; before Grafana sets the user, it throws.
    return typeof hasAnyPermission === 'function' && hasAnyPermission(actions);
  } catch {
    return false;
  }
}
