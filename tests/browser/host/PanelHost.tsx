/**
 * Renders a panel plugin the way a Grafana dashboard does: the panel component with full PanelProps (data after
 * field overrides, time range, size, options, field config, event bus, ...) next to the panel's real options editor,
 * built from the plugin's own options supplier. Editing an option re-renders the panel with the new options.
 */
import React, { Component, type ErrorInfo, type ReactNode, useMemo, useRef, useState } from 'react';
import { get, set, cloneDeep } from 'lodash';
import {
  type AbsoluteTimeRange,
  type DataFrame,
  type FieldConfigSource,
  type PanelData,
  type PanelPlugin,
  type ScopedVars,
  type TimeRange,
  applyFieldOverrides,
  dateTime,
  EventBusSrv,
  LoadingState,
  PanelOptionsEditorBuilder,
} from '@grafana/data';
import { config } from '@grafana/runtime';
import type { DashboardCursorSync, DataQuery } from '@grafana/schema';
import { PanelContextProvider } from '@grafana/ui';

export interface PanelHostInput {
  plugin: PanelPlugin;
  series: DataFrame[];
  timeRange: { fromMs: number; toMs: number };
  width: number;
  height: number;
  options?: Record<string, unknown>;
  /** The dashboard's query request the data came from (data.request); a single target 'A' by default. */
  queryRequest?: PanelQueryRequest;
  /**
   * The series went through applyFieldOverrides already (processFrames), as Grafana's query runner does before the
   * panel renders, in a task of its own.
   */
  processed?: boolean;
  /**
   * More panels of the same plugin on the page, as on a dashboard: one per entry, each on its own series, with the
   * same options, size and time range (panel ids 2, 3, ...). Only the first panel has the options editor.
   */
  extraPanels?: DataFrame[][];
  /** The dashboard's graph tooltip setting: off (0, the default), shared crosshair (1) or shared tooltip (2). */
  cursorSync?: DashboardCursorSync;
}

export interface PanelQueryRequest {
  targets?: DataQuery[];
  dashboardUID?: string;
  scopedVars?: ScopedVars;
  /** The query interval Grafana chose for the panel [15s]. */
  intervalMs?: number;
}

/** What the test can observe of the host's React state from outside. */
export interface PanelHostObservations {
  options: Record<string, unknown>;
  panelRenderCount: number;
  optionsChangedByPanel: number;
  timeRangeChangeRequests: AbsoluteTimeRange[];
}

const replaceVariables = (text: string) => text;

function toTimeRange({ fromMs, toMs }: PanelHostInput['timeRange']): TimeRange {
  const from = dateTime(fromMs);
  const to = dateTime(toMs);
  return { from, to, raw: { from, to } };
}

/** What Grafana's query runner does to a panel's frames before the panel sees them. */
export function processFrames(series: DataFrame[], fieldConfig: FieldConfigSource, plugin: PanelPlugin): DataFrame[] {
  return applyFieldOverrides({
    data: series,
    fieldConfig,
    fieldConfigRegistry: plugin.fieldConfigRegistry,
    replaceVariables,
    theme: config.theme2,
    timeZone: 'utc',
  });
}

function toPanelData(
  series: DataFrame[],
  timeRange: TimeRange,
  fieldConfig: FieldConfigSource,
  plugin: PanelPlugin,
  queryRequest: PanelQueryRequest = {},
  alreadyProcessed = false
) {
  const processed = alreadyProcessed ? series : processFrames(series, fieldConfig, plugin);
  const data: PanelData = {
    state: LoadingState.Done,
    series: processed,
    timeRange,
    request: {
      app: 'dashboard',
      requestId: 'browser-test-host',
      interval: `${(queryRequest.intervalMs ?? 15_000) / 1000}s`,
      intervalMs: queryRequest.intervalMs ?? 15_000,
      range: timeRange,
      dashboardUID: queryRequest.dashboardUID,
      scopedVars: queryRequest.scopedVars ?? {},
      targets: queryRequest.targets ?? [{ refId: 'A' }],
      timezone: 'utc',
      startTime: Date.now(),
    },
  };
  return data;
}

class PanelErrorBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('Panel crashed', error, info.componentStack);
  }
  override render() {
    if (this.state.error) {
      return (
        <pre data-testid="host-panel-error" style={{ color: 'red', whiteSpace: 'pre-wrap' }}>
          {String(this.state.error.stack ?? this.state.error)}
        </pre>
      );
    }
    return this.props.children;
  }
}

export function PanelHost({ input, observations }: { input: PanelHostInput; observations: PanelHostObservations }) {
  const { plugin } = input;
  const [options, setOptions] = useState<Record<string, unknown>>(() => ({
    ...cloneDeep(plugin.defaults),
    ...input.options,
  }));
  const [fieldConfig, setFieldConfig] = useState<FieldConfigSource>(() => plugin.fieldConfigDefaults);
  const eventBus = useMemo(() => new EventBusSrv(), []);
  const renderCounter = useRef(0);
  const timeRange = useMemo(() => toTimeRange(input.timeRange), [input.timeRange]);
  const data = useMemo(
    () => toPanelData(input.series, timeRange, fieldConfig, plugin, input.queryRequest, input.processed),
    [input.series, timeRange, fieldConfig, plugin, input.queryRequest, input.processed]
  );

  const optionItems = useMemo(() => {
    const builder = new PanelOptionsEditorBuilder<Record<string, unknown>>();
    plugin.getPanelOptionsSupplier()(builder, { data: data.series, options, replaceVariables, eventBus });
    return builder.getItems().filter((item) => !item.showIf || item.showIf(options, data.series));
  }, [plugin, data.series, options, eventBus]);

  renderCounter.current += 1;
  observations.options = options;
  observations.panelRenderCount = renderCounter.current;

  return (
    <div
      style={{
        display: 'flex',
        gap: 16,
        padding: 16,
        alignItems: 'flex-start',
        flexWrap: input.extraPanels ? 'wrap' : undefined,
      }}
    >
      <HostedPanel
        testId="host-panel"
        id={1}
        data={data}
        input={input}
        options={options}
        fieldConfig={fieldConfig}
        eventBus={eventBus}
        renderCounter={renderCounter.current}
        onOptionsChange={(next) => {
          observations.optionsChangedByPanel += 1;
          setOptions(next);
        }}
        onFieldConfigChange={setFieldConfig}
        onChangeTimeRange={(range) => observations.timeRangeChangeRequests.push(range)}
      />
      {input.extraPanels?.map((series, index) => (
        <DashboardPanel
          key={index}
          id={index + 2}
          series={series}
          input={input}
          options={options}
          fieldConfig={fieldConfig}
          timeRange={timeRange}
          eventBus={eventBus}
        />
      ))}
      <div data-testid="host-options-editor" style={{ width: 320, display: 'flex', flexDirection: 'column', gap: 12 }}>
        {optionItems.map((item) => {
          const Editor = item.editor;
          const inputId = `option-${item.path}`;
          return (
            <div key={item.id} data-testid="host-option" data-option-path={item.path}>
              <label htmlFor={inputId} style={{ display: 'block', marginBottom: 4 }}>
                {item.name}
              </label>
              <Editor
                id={inputId}
                item={item}
                value={get(options, item.path)}
                context={{ data: data.series, options, replaceVariables, eventBus }}
                onChange={(value: unknown) => setOptions((current) => set(cloneDeep(current), item.path, value))}
              />
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** Another panel of the dashboard (PanelHostInput.extraPanels): its own data, the first panel's options. */
function DashboardPanel({
  id,
  series,
  input,
  options,
  fieldConfig,
  timeRange,
  eventBus,
}: {
  id: number;
  series: DataFrame[];
  input: PanelHostInput;
  options: Record<string, unknown>;
  fieldConfig: FieldConfigSource;
  timeRange: TimeRange;
  eventBus: EventBusSrv;
}) {
  const { plugin, queryRequest, processed } = input;
  const data = useMemo(
    () => toPanelData(series, timeRange, fieldConfig, plugin, queryRequest, processed),
    [series, timeRange, fieldConfig, plugin, queryRequest, processed]
  );
  return (
    <HostedPanel
      testId="host-extra-panel"
      id={id}
      data={data}
      input={input}
      options={options}
      fieldConfig={fieldConfig}
      eventBus={eventBus}
      renderCounter={1}
      onOptionsChange={() => {}}
      onFieldConfigChange={() => {}}
      onChangeTimeRange={() => {}}
    />
  );
}

/** One panel as a dashboard shows it: its frame at the input's size, the plugin's panel inside an error boundary. */
function HostedPanel({
  testId,
  id,
  data,
  input,
  options,
  fieldConfig,
  eventBus,
  renderCounter,
  onOptionsChange,
  onFieldConfigChange,
  onChangeTimeRange,
}: {
  testId: string;
  id: number;
  data: PanelData;
  input: PanelHostInput;
  options: Record<string, unknown>;
  fieldConfig: FieldConfigSource;
  eventBus: EventBusSrv;
  renderCounter: number;
  onOptionsChange: (options: Record<string, unknown>) => void;
  onFieldConfigChange: (config: FieldConfigSource) => void;
  onChangeTimeRange: (range: AbsoluteTimeRange) => void;
}) {
  const PanelComponent = input.plugin.panel;
  if (!PanelComponent) {
    throw new Error(`Panel plugin ${input.plugin.meta?.id ?? '(no meta)'} has no panel component`);
  }
  return (
    <div
      data-testid={testId}
      style={{ width: input.width, height: input.height, border: `1px solid ${config.theme2.colors.border.weak}` }}
    >
      <PanelErrorBoundary>
        {/* As a dashboard gives it (public/app/features/dashboard/dashgrid/PanelStateWrapper.tsx in grafana/grafana):
            the global events scope, the dashboard's event bus, and its graph tooltip setting as `sync`. */}
        <PanelContextProvider
          value={{ eventsScope: '__global_', eventBus, sync: () => (input.cursorSync ?? 0) as DashboardCursorSync }}
        >
          <PanelComponent
            id={id}
            title={id === 1 ? 'Anomalies' : `Anomalies ${id}`}
            data={data}
            timeRange={data.timeRange}
            timeZone="utc"
            options={options}
            fieldConfig={fieldConfig}
            transparent={false}
            width={input.width}
            height={input.height}
            renderCounter={renderCounter}
            eventBus={eventBus}
            replaceVariables={replaceVariables}
            onOptionsChange={onOptionsChange}
            onFieldConfigChange={onFieldConfigChange}
            onChangeTimeRange={onChangeTimeRange}
          />
        </PanelContextProvider>
      </PanelErrorBoundary>
    </div>
  );
}
