#!/usr/bin/env bash
# Zips the built plugin the way Grafana expects it: one top folder named after the plugin id.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/plugin.json ] || { echo "dist/ is missing: run 'npm run build' first" >&2; exit 1; }
id=$(node -p "require('./dist/plugin.json').id")
version=$(node -p "require('./package.json').version")
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -r dist "$staging/$id"
rm -f "$id-$version.zip"
(cd "$staging" && zip -qr - "$id") > "$id-$version.zip"
echo "$id-$version.zip"
unzip -l "$id-$version.zip" | tail -n 1
