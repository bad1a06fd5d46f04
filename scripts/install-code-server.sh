#!/usr/bin/env bash
# Installs code-server from the npm registry for the end-to-end test, outside the project's
# package.json (it is 300 MB and only the e2e test needs it).
# Usage: scripts/install-code-server.sh [dest] [version]
#   dest defaults to $HOME/.cache/alma-sis/code-server, where test/e2e looks for it.
# Result: <dest>/node_modules/.bin/code-server (or set ALMA_SIS_CODE_SERVER to another binary).
# Works with only the npm registry and Debian apt reachable (Debian 12, Node 20, as root).
set -euo pipefail
DEST=${1:-$HOME/.cache/alma-sis/code-server}
# 4.100.3 is the last code-server whose engines.node accepts Node 20.
VERSION=${2:-4.100.3}
BIN="$DEST/node_modules/.bin/code-server"

if [ -x "$BIN" ] && "$BIN" --config /dev/null --version 2>/dev/null | grep -q "^$VERSION"; then
  echo "code-server $VERSION already in $DEST"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# kerberos (a VS Code dependency) compiles against the gssapi headers; Debian's ripgrep stands in
# for the binary @vscode/ripgrep would fetch from GitHub.
if ! dpkg -s libkrb5-dev pkg-config ripgrep >/dev/null 2>&1; then
  apt-get update -q
  apt-get install -y -q libkrb5-dev pkg-config ripgrep
fi

# @vscode/ripgrep's postinstall downloads rg from api.github.com unless its cache dir already holds
# the tarball. The cache dir is named after the @vscode/ripgrep version, read from code-server's
# shrinkwrap so another code-server version keeps working.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
( cd "$WORK" && npm pack --silent "code-server@$VERSION" >/dev/null \
  && tar xzf code-server-*.tgz package/lib/vscode/npm-shrinkwrap.json )
RG_PACKAGE_VERSION=$(node -e '
  const s = require(process.argv[1]);
  console.log(s.packages["node_modules/@vscode/ripgrep"].version);
' "$WORK/package/lib/vscode/npm-shrinkwrap.json")
RG_RELEASE=v13.0.0-10   # the VERSION constant of @vscode/ripgrep 1.15.x's postinstall
RG_CACHE="${TMPDIR:-/tmp}/vscode-ripgrep-cache-$RG_PACKAGE_VERSION"
RG_ASSET="$RG_CACHE/ripgrep-$RG_RELEASE-x86_64-unknown-linux-musl.tar.gz"
mkdir -p "$RG_CACHE"
if [ ! -f "$RG_ASSET" ]; then
  mkdir "$WORK/rg" && cp "$(command -v rg)" "$WORK/rg/rg"
  tar czf "$RG_ASSET" -C "$WORK/rg" rg
fi

mkdir -p "$DEST"
cd "$DEST"
[ -f package.json ] || echo '{"name":"alma-sis-code-server","private":true}' > package.json
# unsafe_perm: code-server's postinstall refuses to run as root without it.
# yes: node-pty's postinstall runs `npx node-gyp`, which an .npmrc with yes=false cancels.
npm_config_unsafe_perm=true npm_config_yes=true npm_config_fund=false npm_config_audit=false \
  npm install --foreground-scripts "code-server@$VERSION"
"$BIN" --config /dev/null --version
