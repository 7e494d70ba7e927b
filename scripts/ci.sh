#!/usr/bin/env bash
# The whole suite on a fresh machine: system packages, npm ci, lint, typecheck, unit tests, builds, the CLI demo
# with assertions, the plugin archive against the plugin validator's rules, integration tests against real servers,
# browser tests in Chromium. .github/workflows/ci.yml runs the same steps.
#
# Every step runs, even after one failed (a lint error must not hide a failing integration test); the closing line
# `ci: N passed, N failed` counts the tests of every runner, plus one failure for each failed step that reported no
# failed test itself (lint, typecheck, a build, a runner that crashed). The exit code is non-zero when any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/ci-steps.sh
source scripts/ci-steps.sh

# Real servers the integration and browser tests start on 127.0.0.1, Chromium, and docker-compose to validate the
# compose file offline (Debian packages).
install_debian_packages() {
  local missing=() pkg
  for pkg in prometheus influxdb victoria-metrics prometheus-alertmanager chromium docker-compose; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    local sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
      return 1
  fi
  # Debian starts these as system services on install; the tests start their own on free ports.
  for svc in prometheus influxdb prometheus-alertmanager; do
    (command -v systemctl >/dev/null && systemctl stop "$svc" 2>/dev/null) || true
  done
}

# npm ci, unless node_modules was installed from this very lockfile by this Node version (a stamp written after
# each install; without one, npm's own node_modules/.package-lock.json written after package-lock.json).
install_node_modules() {
  local stamp_file=node_modules/.ci-install-stamp
  local stamp
  stamp="$(node -v) $(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
    echo "node_modules is installed from this package-lock.json: npm ci skipped"
    return 0
  fi
  if [ ! -f "$stamp_file" ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    echo "node_modules was installed after the last change of package-lock.json: npm ci skipped"
    echo "$stamp" >"$stamp_file"
    return 0
  fi
  npm ci --no-audit --no-fund && echo "$stamp" >"$stamp_file"
}

run "apt-get install (missing Debian packages)" install_debian_packages
run "npm ci (skipped when node_modules matches package-lock.json)" install_node_modules
# Two single-threaded jobs beside the compilers: the linter, and the downloads of the Grafana releases' packages
# for the last step (~1 minute), joined before the unit tests, whose file crawl should not see a half-written
# node_modules.
beside "lint" npm run lint
beside "Grafana 12.3.3 and 13.2.3 packages for the browser tests" \
  bash scripts/browser-grafana-versions.sh --install-only
run "build: workspaces (engine, then query, proxy, writer and cli, which type against their builds)" npm run build:pkg
# npm run typecheck is typecheck:plugin, then each workspace's tsc --noEmit: what build:pkg has just done.
run "typecheck: the plugin and the integration tests (build:pkg type-checked the workspaces)" npm run typecheck:plugin
join "lint"
run "build: the Grafana plugin (app + nested panel)" npm run build
join "Grafana 12.3.3 and 13.2.3 packages for the browser tests"
run "unit tests" npm run test:unit
# npm run demo is build:pkg, done above, then demo:detect.
run "CLI demo on the bundled sample" bash -c \
  'npm run demo:detect && node scripts/check-demo.js results/anomaly_reports data/sample_telemetry_labels.csv'
run "plugin package, checked with the plugin validator's rules" bash -c \
  'zip_file=$(npm run --silent package | head -n 1) && node scripts/check-plugin-archive.js "$zip_file"'
run "integration tests (real Prometheus, InfluxDB, VictoriaMetrics, vmalert, Alertmanager)" npm run test:integration
run "browser tests (Chromium)" npm run test:browser
run "browser tests on Grafana 12.3.3 (React 18) and 13.2.3 (React 19) packages" npm run test:browser:grafana-versions

finish
