#!/usr/bin/env bash
# Install pinned @openai/codex versions (with their platform binary, an optionalDependency) into
# the cache test/verify/real-codex.test.ts uses: ${XDG_CACHE_HOME:-~/.cache}/codex-mitm/codex-<version>.
# Already cached versions are skipped. Never fails the caller: without the npm registry the
# integration test skips and says why.
#   usage: bash .ci/install-codex.sh [VERSION...]      (default: 0.98.0 0.169.0 0.171.0)
set -uo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/codex-mitm"
versions=("$@")
[ ${#versions[@]} -eq 0 ] && versions=(0.98.0 0.169.0 0.171.0)
for v in "${versions[@]}"; do
  dir="$cache/codex-$v"
  if [ -x "$dir/node_modules/.bin/codex" ]; then
    echo "install-codex: @openai/codex@$v already in $dir"
    continue
  fi
  if npm install --prefix "$dir" "@openai/codex@$v" --no-audit --no-fund >/dev/null 2>&1; then
    echo "install-codex: installed @openai/codex@$v into $dir"
  else
    echo "install-codex: could not install @openai/codex@$v (registry unreachable?); the real codex tests will skip"
  fi
done
exit 0
