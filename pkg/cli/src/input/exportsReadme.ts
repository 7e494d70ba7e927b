/** Where the CLI's messages about exports that are not rows send the user: the recipes for each. */
export const EXPORTS_README = 'pkg/cli/README.md: Inputs from Prometheus, InfluxDB and Grafana';
