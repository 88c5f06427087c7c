#!/usr/bin/env bash
# The README's promise, checked as a new user meets it: a fresh clone of this checkout's HEAD, an empty HOME
# (no npm cache, no e2e cache), none of the project's environment variables, then exactly the README's
# commands: `npm ci && npm run demo`, and `npm test`. Prints each step's wall time.
# Usage: bash scripts/check-fresh-clone.sh [extra npm test args]   (needs root or sudo for apt-get, like npm test)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/backprop-fresh.XXXXXX)
home="$work/home"
mkdir -p "$home"
git clone -q "$src" "$work/repo"
# ../shared travels beside the repository (reference numbers, notes): the clone sees it as the checkout does.
if [ -d "$src/../shared" ] && ! [ -e "$work/shared" ]; then ln -s "$(cd "$src/../shared" && pwd)" "$work/shared"; fi
cd "$work/repo"
unset BACKPROP_STUDIO_E2E_CACHE ONNXRUNTIME_NODE_INSTALL
timed() {
  local name=$1
  shift
  local t0=$SECONDS
  if HOME="$home" "$@"; then
    echo "fresh-clone: $name passed in $((SECONDS - t0)) s" >&2
  else
    echo "fresh-clone: $name FAILED after $((SECONDS - t0)) s ($work/repo)" >&2
    exit 1
  fi
}
timed "npm ci" npm ci --no-audit --no-fund
timed "npm run demo" npm run demo
timed "npm test" npm test -- "$@"
echo "fresh-clone: all passed ($work)" >&2
