#!/usr/bin/env bash
# Zips the built plugin the way Grafana expects it: one top folder named after the plugin id.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/plugin.json ] || { echo "dist/ is missing: run 'npm run build' first" >&2; exit 1; }
command -v zip >/dev/null || { echo "the zip command is missing (Debian/Ubuntu: apt-get install zip)" >&2; exit 1; }
id=$(node -p "require('./dist/plugin.json').id")
version=$(node -p "require('./package.json').version")
staging=$(mktemp -d)
partial="$id-$version.zip.partial"
trap 'rm -rf "$staging" "$partial"' EXIT
cp -r dist "$staging/$id"
# Written next to the archive and renamed over it once whole: a failed zip leaves the previous archive, not a broken one.
(cd "$staging" && zip -qr - "$id") > "$partial"
mv "$partial" "$id-$version.zip"
echo "$id-$version.zip"
unzip -l "$id-$version.zip" | tail -n 1
