import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { IconButton, Tooltip, useStyles2 } from '@grafana/ui';
import { testIds } from '../testIds';
import { CreateAlertRuleModal, type CreateAlertRuleModalProps } from './CreateAlertRuleModal';
import { ruleCreationRefusal } from './rulePermission';

/**
 * A bell in the panel that opens the "Create alert rule" form. Inside the panel rather than in the panel menu:
 * menu extensions (PluginExtensionPoints.DashboardPanelMenu) do not receive the panel's options.
 * Disabled, with why in its tooltip, for a user Grafana certainly refuses rules to (ruleCreationRefusal): a Viewer
 * filled the form in for a 403 at the end. aria-disabled rather than disabled: a disabled button gets no pointer
 * events, and its tooltip would never show.
 */
/** The bell's accessible name, whether it is enabled or not. */
export const BELL_NAME = 'Create alert rule';

export function CreateAlertRuleButton(props: Omit<CreateAlertRuleModalProps, 'onDismiss'>) {
  const [open, setOpen] = useState(false);
  const s = useStyles2(getStyles);
  const refusal = ruleCreationRefusal();
  return (
    <>
      {/* The button's name stays "Create alert rule"; what the tooltip says (the refusal's reason) is its description:
          Grafana's Tooltip points aria-describedby at itself while shown (on hover and focus). IconButton's own
          tooltip prop would make the whole sentence its name (a review). */}
      <Tooltip content={refusal ?? 'Create alert rule from this panel'}>
        <IconButton
          name="bell"
          size="sm"
          aria-label={BELL_NAME}
          aria-disabled={refusal !== undefined}
          className={refusal === undefined ? undefined : s.refused}
          data-testid={testIds.alertRule.button}
          // Asked again: Grafana may have reloaded the user's permissions since this render.
          onClick={() => setOpen(ruleCreationRefusal() === undefined)}
        />
      </Tooltip>
      {open && <CreateAlertRuleModal {...props} onDismiss={() => setOpen(false)} />}
    </>
  );
}

// IconButton's look when disabled.
const getStyles = (theme: GrafanaTheme2) => ({
  refused: css({ cursor: 'not-allowed', color: theme.colors.action.disabledText, opacity: 0.65 }),
});
