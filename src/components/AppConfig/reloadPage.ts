/** Reloads Grafana's page: what a config page does after saving the app's settings (see AppConfig's save). */
export function reloadPage(): void {
  window.location.reload();
}
