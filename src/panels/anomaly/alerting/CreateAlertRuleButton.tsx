import React, { useState } from 'react';
import { IconButton } from '@grafana/ui';
import { testIds } from '../testIds';
import { CreateAlertRuleModal, type CreateAlertRuleModalProps } from './CreateAlertRuleModal';

/**
 * A bell in the panel that opens the "Create alert rule" form. Inside the panel rather than in the panel menu:
 * menu extensions (PluginExtensionPoints.DashboardPanelMenu) do not receive the panel's options.
 */
export function CreateAlertRuleButton(props: Omit<CreateAlertRuleModalProps, 'onDismiss'>) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <IconButton
        name="bell"
        size="sm"
        tooltip="Create alert rule from this panel"
        data-testid={testIds.alertRule.button}
        onClick={() => setOpen(true)}
      />
      {open && <CreateAlertRuleModal {...props} onDismiss={() => setOpen(false)} />}
    </>
  );
}
