#!/usr/bin/env bash
# Installs the official Alipay SDKs the interop tests talk to, and nothing globally:
#   - Node: `npm ci` into tests/interop/node/node_modules (alipay-sdk, pinned by the lockfile);
#   - Python: a venv at target/interop-venv with tests/interop/python/requirements.txt.
# Idempotent: each half is skipped when its stamp matches the lockfile / requirements.
# Usage: bash tests/interop/setup.sh [--node-only|--python-only]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${ALIPAY_INTEROP_VENV:-$root/target/interop-venv}"
want_node=1
want_python=1
case "${1:-}" in
  --node-only) want_python=0 ;;
  --python-only) want_node=0 ;;
  "") ;;
  *) echo "usage: $0 [--node-only|--python-only]" >&2; exit 2 ;;
esac

# The contents only: a copy of the repository elsewhere (as .ci/run makes) must match.
hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

if [ "$want_node" = 1 ]; then
  command -v node >/dev/null || { echo "setup: node is not installed (need Node.js >= 18)" >&2; exit 1; }
  command -v npm >/dev/null || { echo "setup: npm is not installed" >&2; exit 1; }
  node_dir="$here/node"
  stamp="$node_dir/node_modules/.interop-stamp"
  want="$(hash_of "$node_dir/package.json" "$node_dir/package-lock.json")"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$node_dir/node_modules/alipay-sdk" ]; then
    echo "setup: node peer up to date"
  else
    echo "setup: npm ci in $node_dir"
    (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
fi

if [ "$want_python" = 1 ]; then
  py="${PYTHON:-python3}"
  command -v "$py" >/dev/null || { echo "setup: $py is not installed (need Python >= 3.8 with venv)" >&2; exit 1; }
  req="$here/python/requirements.txt"
  stamp="$venv/.interop-stamp"
  want="$(hash_of "$req")"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
    echo "setup: python peer up to date"
  else
    echo "setup: creating venv $venv"
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req"
    "$venv/bin/python" -c "import alipay.aop.api.util.SignatureUtils, Crypto.Cipher.AES, rsa"
    echo "$want" > "$stamp"
  fi
fi
