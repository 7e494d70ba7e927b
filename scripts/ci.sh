#!/usr/bin/env bash
# The whole suite on a fresh machine: system packages, npm ci, lint, typecheck, unit tests, builds,
# the CLI demo with assertions, integration tests against real servers, browser tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s (%ss)\n' "$1" "$SECONDS"; }

# Test output is also kept in a log, to print one closing line with the totals of every runner.
test_log=$(mktemp)
trap 'rm -f "$test_log"' EXIT
counted() { "$@" 2>&1 | tee -a "$test_log"; }

# Real servers the integration and browser tests start on 127.0.0.1, Chromium, and docker-compose to validate the
# compose file offline (Debian packages).
debian_packages=(prometheus influxdb victoria-metrics prometheus-alertmanager chromium docker-compose)
missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts these as system services on install; the tests start their own on free ports.
for svc in prometheus influxdb prometheus-alertmanager; do
  (command -v systemctl >/dev/null && systemctl stop "$svc" 2>/dev/null) || true
done

step "npm ci"
npm ci --no-audit --no-fund

step "lint"
npm run lint

step "build: workspaces (engine, then proxy and cli, which type against its build)"
npm run build:pkg

step "typecheck"
npm run typecheck

step "build: the Grafana plugin (app + nested panel)"
npm run build

step "unit tests"
counted npm run test:unit

step "CLI demo on the bundled sample"
npm run demo
node scripts/check-demo.js results/anomaly_reports data/sample_telemetry_labels.csv

step "plugin package"
npm run package

step "integration tests (real Prometheus, InfluxDB, vmalert, Alertmanager)"
counted npm run test:integration

step "browser tests (Chromium)"
counted npm run test:browser

step "done"
# jest: "Tests:       1 skipped, 93 passed, 94 total"; Playwright: "  10 passed (48.2s)", "  1 failed".
totals=$(sed 's/\x1b\[[0-9;]*m//g' "$test_log" | awk '
  /^Tests:/ { for (i = 2; i <= NF; i++) { if ($(i) ~ /^passed,?$/) p += $(i - 1); if ($(i) ~ /^failed,?$/) f += $(i - 1) } }
  /^ +[0-9]+ passed \(/ { p += $1 }
  /^ +[0-9]+ failed$/ { f += $1 }
  END { printf "%d passed, %d failed", p, f }')
echo "ci: $totals"
