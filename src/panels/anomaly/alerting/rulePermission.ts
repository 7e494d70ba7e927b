import { config, hasAnyPermission } from '@grafana/runtime';

/**
 * The actions any one of which lets Grafana take the POST of a rule through its provisioning API (grafana/grafana
 * pkg/services/ngalert/api/authorization.go: alert.provisioning:write, alert.rules.provisioning:write, or
 * alert.rules:create with alert.provisioning.provenance:write). A user holding none of them is refused with a 403.
 */
export const RULE_CREATING_ACTIONS = [
  'alert.rules:create',
  'alert.rules.provisioning:write',
  'alert.provisioning:write',
];

export const NO_RULE_PERMISSION =
  'You may not create alert rules: Grafana grants it to Editors and Admins, and to users with the Edit permission ' +
  'on a folder. Ask an admin, then reload the page.';

/**
 * Why the user certainly may not create alert rules, or undefined when they may, or when it cannot be told.
 *
 * Grafana's index page hands the frontend every action the user holds, at any scope (pkg/api/index.go
 * setIndexViewData: GetUserPermissions, then BuildPermissionsMap), with the action sets of folder and dashboard
 * permissions expanded (pkg/services/accesscontrol/acimpl/service.go getUserPermissions): a Viewer given Edit on one
 * folder holds alert.rules:create there (FolderEditActions), and the map says so. An action missing from a map that
 * holds others is therefore not held, at least when the page loaded. Grafana refreshes contextSrv.user's
 * permissions later (public/app/core/services/context_srv.ts fetchUserPermissions), not bootData's: @grafana/runtime's
 * hasAnyPermission reads that user (setCurrentUser(contextSrv.user) in public/app/app.ts), and one held there counts.
 *
 * No map, or an empty one (every signed-in Grafana user holds some actions: a host without Grafana's RBAC data), says
 * nothing. Nor does the basic role: Viewers and users without a role may hold alert.rules:create through a folder's
 * permissions.
 */
export function ruleCreationRefusal(): string | undefined {
  const permissions = config.bootData?.user?.permissions;
  if (!permissions || Object.keys(permissions).length === 0) {
    return undefined;
  }
  if (RULE_CREATING_ACTIONS.some((action) => permissions[action]) || heldNow(RULE_CREATING_ACTIONS)) {
    return undefined;
  }
  return NO_RULE_PERMISSION;
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
