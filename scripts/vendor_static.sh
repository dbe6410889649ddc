#!/usr/bin/env bash
# Copies the front-end libraries the pages use from the npm registry into static/vendor/,
# recording versions and licences in static/vendor/VERSIONS.txt. The output is committed, so
# the system itself never needs the network.
set -euo pipefail
cd "$(dirname "$0")/.."
out=static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fetch() {  # package version
  local file
  file=$(cd "$tmp" && npm pack --silent "$1@$2" 2>/dev/null | tail -1)
  mkdir -p "$tmp/$1" && tar -xzf "$tmp/$file" -C "$tmp/$1" --strip-components=1
}
fetch bootstrap 5.3.9
fetch htmx.org 2.0.7
fetch sortablejs 1.15.7
mkdir -p $out/bootstrap $out/htmx $out/sortablejs
cp "$tmp/bootstrap/dist/css/bootstrap.min.css" "$tmp/bootstrap/dist/js/bootstrap.bundle.min.js" $out/bootstrap/
cp "$tmp/bootstrap/LICENSE" $out/bootstrap/LICENSE
cp "$tmp/htmx.org/dist/htmx.min.js" $out/htmx/ && cp "$tmp/htmx.org/LICENSE" $out/htmx/LICENSE
cp "$tmp/sortablejs/Sortable.min.js" $out/sortablejs/ && cp "$tmp/sortablejs/LICENSE" $out/sortablejs/LICENSE
cat > $out/VERSIONS.txt <<TXT
bootstrap 5.3.9   MIT   npm: bootstrap
htmx.org 2.0.7    0BSD  npm: htmx.org
sortablejs 1.15.7 MIT   npm: sortablejs
TXT
echo "vendored into $out"
