#!/bin/sh
# Install the Debian packages named on the command line that are missing.
# Used by `make deps` (and so by `make demo` and `make check`).
missing=""
for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "libdsjson: installing missing build dependencies:$missing"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "libdsjson: apt-get is not available; please install:$missing" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "libdsjson: not root and no sudo; please install as root:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || { echo "libdsjson: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
    echo "libdsjson: apt-get install failed for:$missing" >&2; exit 1; }
echo "libdsjson: dependencies installed"
