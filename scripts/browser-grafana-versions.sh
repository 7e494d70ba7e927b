#!/usr/bin/env bash
# The built plugin's browser tests on each Grafana release in tests/browser/grafana-versions/ (the oldest supported,
# 12.3 on React 18, and 13.x on React 19): each release's shared libraries (@grafana/*, React) are installed from
# their lockfile into node_modules/.cache (never into the source tree), the test host is rebuilt on them
# (GRAFANA_PACKAGES, see tests/browser/host/buildHost.ts), and the plugin's loading and panel specs run against it.
# The default browser run (npm run test:browser) uses the repository's own @grafana/* versions.
# Usage: scripts/browser-grafana-versions.sh [playwright arguments...]
#        scripts/browser-grafana-versions.sh --install-only   (installs each release's packages and runs nothing;
#        scripts/ci.sh does this early, beside other steps, so the browser step does not wait for the downloads)
# The default (CI's step) is what differs between releases and stays short: the bundles load against the release's
# @grafana/data, the app's pages render and save, the panel draws and marks a Prometheus query's anomalies in its
# worker, re-renders when the options editor changes contamination, and zooms the dashboard from a drag (TooltipPlugin2).
set -uo pipefail
cd "$(dirname "$0")/.."

install_only=false
if [ "${1:-}" = "--install-only" ]; then
  install_only=true
  shift
fi
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(tests/browser/pluginLoading.spec.ts tests/browser/appPages.spec.ts
  tests/browser/anomalyPanel.spec.ts tests/browser/panelZoomAndCursor.spec.ts
  --grep 'host runs|bundle exports|the app|Prometheus data|contamination changes|zooms the dashboard')

# install <version>: the release's packages from its lockfile, unless the directory holds that very install.
install() {
  local version=$1
  local manifest_dir="tests/browser/grafana-versions/$version"
  local install_dir="node_modules/.cache/grafana-packages/$version"
  local stamp
  stamp="$(node -v) $(cat "$manifest_dir/package.json" "$manifest_dir/package-lock.json" | sha256sum | cut -d' ' -f1)"
  [ "$(cat "$install_dir/.install-stamp" 2>/dev/null)" != "$stamp" ] || return 0
  rm -rf "$install_dir" && mkdir -p "$install_dir" &&
    cp "$manifest_dir/package.json" "$manifest_dir/package-lock.json" "$install_dir/" &&
    (cd "$install_dir" && npm ci --no-audit --no-fund --loglevel=error) &&
    echo "$stamp" >"$install_dir/.install-stamp" && echo "browser-grafana-versions: installed Grafana $version's packages" || {
    echo "browser-grafana-versions: installing Grafana $version's packages failed" >&2
    return 1
  }
}

status=0
for manifest_dir in tests/browser/grafana-versions/*/; do
  version=$(basename "$manifest_dir")
  install "$version" || {
    status=1
    continue
  }
  $install_only && continue
  install_dir="node_modules/.cache/grafana-packages/$version"
  echo "browser-grafana-versions: Grafana $version ($install_dir/node_modules)"
  GRAFANA_PACKAGES="$install_dir/node_modules" npx playwright test -c tests/browser/playwright.config.ts \
    --output "test-results/browser-grafana-$version" "${specs[@]}" || status=1
done
exit $status
