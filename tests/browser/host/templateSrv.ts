/**
 * Grafana core's TemplateSrv stand-in: replaces $name, ${name} and [[name]] with the dashboard variables a test
 * declares, or with scoped variables (which win, as in Grafana); unknown variables stay as written, as in Grafana.
 * Variable formats (${name:regex}, ...) and multi-value variables are not modelled: values are plain text.
 */
import type { ScopedVars, TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

// The three syntaxes of Grafana's variable regex, without the :format and .fieldPath parts.
const VARIABLE = /\$(\w+)|\$\{(\w+)\}|\[\[(\w+)\]\]/g;

export class HostTemplateSrv implements TemplateSrv {
  private dashboardVariables: Record<string, string> = {};

  setDashboardVariables(variables: Record<string, string>): void {
    this.dashboardVariables = { ...variables };
  }

  replace(target?: string, scopedVars?: ScopedVars): string {
    return (target ?? '').replace(VARIABLE, (match, plain?: string, braced?: string, bracketed?: string) => {
      const name = plain ?? braced ?? bracketed ?? '';
      const scoped = scopedVars?.[name];
      if (scoped !== undefined) {
        return String(scoped.value);
      }
      return this.dashboardVariables[name] ?? match;
    });
  }

  containsTemplate(target?: string): boolean {
    return new RegExp(VARIABLE.source).test(target ?? '');
  }

  getVariables(): TypedVariableModel[] {
    return [];
  }

  updateTimeRange(): void {}
}
