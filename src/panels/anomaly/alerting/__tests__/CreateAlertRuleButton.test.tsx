import React from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { LoadingState, type PanelData, dateTime } from '@grafana/data';
import { type BackendSrv, config, setBackendSrv, setCurrentUser } from '@grafana/runtime';
import { throwError } from 'rxjs';
import { withDefaults } from '../../options/defaults';
import { testIds } from '../../testIds';
import { CreateAlertRuleButton } from '../CreateAlertRuleButton';

/**
 * What Grafana's index page gives the frontend: every action the user holds, at any scope, action sets expanded
 * (grafana/grafana pkg/api/index.go setIndexViewData → ac.BuildPermissionsMap; pkg/services/accesscontrol/acimpl/
 * service.go getUserPermissions → ExpandActionSets). A Viewer's alerting actions come from fixed:alerting.rules:reader
 * and the like (pkg/services/ngalert/accesscontrol.go, Grants: Viewer): reading only. An Editor also holds
 * fixed:alerting.rules:writer (alert.rules:create in folders:*). Edit on a folder expands to FolderEditActions, among
 * them alert.rules:create scoped to that folder (pkg/services/accesscontrol/ossaccesscontrol).
 */
const VIEWER = [
  'dashboards:read',
  'folders:read',
  'annotations:read',
  'datasources:query',
  'alert.rules:read',
  'alert.rules.external:read',
  'alert.silences:read',
  'alert.instances:read',
  'alert.notifications.time-intervals:read',
  'alert.notifications.receivers:list',
];
const EDITOR = [...VIEWER, 'alert.rules:create', 'alert.rules:write', 'alert.provisioning.provenance:write'];
const VIEWER_WITH_FOLDER_EDIT = [...VIEWER, 'alert.rules:create', 'alert.rules:write', 'dashboards:create'];
/**
 * The form POSTs to /api/v1/provisioning/alert-rules, which Grafana lets through (pkg/services/ngalert/api/
 * authorization.go, alike at v12.3 and on main for 13) for alert.provisioning:write, alert.rules.provisioning:write, or
 * alert.rules:create AND alert.provisioning.provenance:write (ac.EvalAll). Grafana grants the last only to Editors and
 * Admins (fixed:alerting.provisioning.provenance:writer in pkg/services/ngalert/accesscontrol.go; the action is
 * ActionAlertingProvisioningSetStatus in pkg/services/accesscontrol/models.go): Edit on a folder does not give it.
 */
const PROVENANCE = 'alert.provisioning.provenance:write';

const asMap = (actions: string[]) => Object.fromEntries(actions.map((action) => [action, true]));

/** contextSrv.user, which @grafana/runtime's hasPermission reads (Grafana sets it once: public/app/app.ts). */
const currentUser: { permissions?: Record<string, boolean> } = {};
const savedUser = config.bootData.user;

beforeAll(() => {
  setCurrentUser(currentUser as never);
  // The form, once open, asks for the app's settings: refused here, the test looks no further than its opening.
  setBackendSrv({ fetch: () => throwError(() => ({ status: 500, data: {} })) } as unknown as BackendSrv);
});

afterEach(() => {
  config.bootData.user = savedUser;
  currentUser.permissions = undefined;
});

function renderBell(bootPermissions: Record<string, boolean> | undefined) {
  config.bootData.user = { ...savedUser, permissions: bootPermissions };
  currentUser.permissions = bootPermissions;
  const data = {
    state: LoadingState.Done,
    series: [],
    timeRange: { from: dateTime(0), to: dateTime(3_600_000), raw: { from: 'now-1h', to: 'now' } },
  } as unknown as PanelData;
  render(
    <CreateAlertRuleButton
      panel={{ title: 'CPU', dashboardUid: 'dash-1', panelId: 2 }}
      options={withDefaults({})}
      data={data}
      timeRange={data.timeRange}
    />
  );
  // Found by role and name, as assistive technology finds it (the test id is the same element).
  const bell = screen.getByRole('button', { name: 'Create alert rule' });
  expect(bell).toBe(screen.getByTestId(testIds.alertRule.button));
  return bell;
}

/** What a screen reader reads after the name once the bell has focus: the tooltip, its aria-describedby. */
function descriptionOnFocus(bell: HTMLElement) {
  act(() => bell.focus());
  return expect(bell);
}

describe('the alert rule bell', () => {
  it.each([
    ['a Viewer', asMap(VIEWER)],
    // A review: the bell was enabled for them, and the provisioning API answered 403 at the end.
    ['a Viewer with Edit on a folder (alert.rules:create there, no provenance:write)', asMap(VIEWER_WITH_FOLDER_EDIT)],
    ['a user with alert.provisioning.provenance:write alone', asMap([...VIEWER, PROVENANCE])],
  ])('is disabled for %s, and says why, instead of a form that ends in a 403', (_, permissions) => {
    const bell = renderBell(permissions);
    expect(bell).toHaveAttribute('aria-disabled', 'true');
    // The name stays short; the reason is the description (a review: the whole sentence was the name).
    expect(bell).toHaveAccessibleName('Create alert rule');
    descriptionOnFocus(bell).toHaveAccessibleDescription(expect.stringContaining('You may not create alert rules'));
    expect(bell).toHaveAccessibleDescription(
      expect.stringContaining('alert.rules:create together with alert.provisioning.provenance:write')
    );
    expect(screen.getByRole('tooltip')).toHaveTextContent('You may not create alert rules');
    expect(bell).not.toHaveAccessibleDescription(expect.stringContaining('users with the Edit permission on a folder'));
    fireEvent.click(bell);
    expect(screen.queryByTestId(testIds.alertRule.modal)).not.toBeInTheDocument();
  });

  it.each([
    ['an Editor', asMap(EDITOR)],
    [
      'a Viewer with Edit on a folder and provenance:write (a custom role)',
      asMap([...VIEWER_WITH_FOLDER_EDIT, PROVENANCE]),
    ],
    ['a user with alert.rules.provisioning:write only', asMap(['alert.rules.provisioning:write'])],
    ['a user with alert.provisioning:write only', asMap(['alert.provisioning:write'])],
    ['a host without Grafana permissions (no map)', undefined],
    ['a host without Grafana permissions (an empty map)', {}],
  ])('opens the form for %s', (_, permissions) => {
    const bell = renderBell(permissions);
    expect(bell).not.toHaveAttribute('aria-disabled', 'true');
    expect(bell).toHaveAccessibleName('Create alert rule');
    descriptionOnFocus(bell).toHaveAccessibleDescription('Create alert rule from this panel');
    fireEvent.click(bell);
    expect(screen.getByTestId(testIds.alertRule.modal)).toBeInTheDocument();
  });

  it('opens the form for a Viewer made Editor since the page loaded (contextSrv reloaded the permissions)', () => {
    const bell = renderBell(asMap(VIEWER));
    // Grafana's fetchUserPermissions replaces contextSrv.user.permissions, not bootData's.
    currentUser.permissions = asMap(EDITOR);
    fireEvent.click(bell);
    expect(screen.getByTestId(testIds.alertRule.modal)).toBeInTheDocument();
  });
});
