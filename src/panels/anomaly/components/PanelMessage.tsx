import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Icon, useStyles2 } from '@grafana/ui';

interface Props {
  testId: string;
  title: string;
  detail?: string;
  tone?: 'info' | 'warning' | 'error';
}

/** A whole-panel state message (no data, not enough data, constant series, error): never a blank panel. */
export function PanelMessage({ testId, title, detail, tone = 'info' }: Props) {
  const s = useStyles2(getStyles);
  return (
    <div className={s.root} data-testid={testId} role={tone === 'error' ? 'alert' : 'status'}>
      <Icon name={tone === 'info' ? 'info-circle' : 'exclamation-triangle'} className={s[tone]} size="xl" />
      <div className={s.title}>{title}</div>
      {detail && <div className={s.detail}>{detail}</div>}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    // Centred while it fits; a long detail (many series' problems) starts at the top and scrolls.
    justifyContent: 'safe center',
    overflowY: 'auto',
    height: '100%',
    gap: theme.spacing(1),
    textAlign: 'center',
    padding: theme.spacing(2),
  }),
  title: css({ fontWeight: theme.typography.fontWeightMedium }),
  // One line per series when the detail lists several.
  detail: css({ color: theme.colors.text.secondary, maxWidth: 520, whiteSpace: 'pre-line' }),
  info: css({ color: theme.colors.text.secondary }),
  warning: css({ color: theme.colors.warning.text }),
  error: css({ color: theme.colors.error.text }),
});
