#!/bin/sh
# Every command in the EXAMPLES section of docs/dsjson.1 runs on the bundled testdata
# (exit 0 or 1, never 2 = usage error or unreadable input).  /tmp/ in the examples is
# replaced by a private temporary folder.
# usage: sh tests/cli/man_examples.sh BIN   (run from anywhere; works in the repository root)
set -u
BIN=$1
case "$BIN" in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
W=$(mktemp -d "${TMPDIR:-/tmp}/dsj-man.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/bin" && ln -s "$BIN" "$W/bin/dsjson"

# Lines of .nf/.fi blocks in EXAMPLES, groff escapes undone, continuation lines joined.
awk '/^\.SH EXAMPLES/ { ex = 1; next } /^\.SH / { ex = 0 }
     ex && /^\.nf/ { on = 1; next } ex && /^\.fi/ { on = 0; next }
     ex && on { gsub(/\\e/, "\\"); print }' docs/dsjson.1 |
    sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*/ /; ta' >"$W/examples"
n=$(grep -c '^dsjson ' "$W/examples")
[ "$n" -ge 5 ] || { echo "man_examples: only $n examples found in docs/dsjson.1"; exit 1; }
failed=0
while IFS= read -r cmd; do
    case "$cmd" in dsjson\ *) ;; *) continue ;; esac
    cmd=$(printf '%s\n' "$cmd" | sed -e "s|/tmp/|$W/|g")
    PATH="$W/bin:$PATH" sh -c "$cmd" >"$W/out" 2>&1 </dev/null
    rc=$?
    if [ $rc -gt 1 ]; then
        echo "man_examples: exit $rc from: $cmd"
        head -5 "$W/out"
        failed=1
    fi
done <"$W/examples"
[ $failed -eq 0 ] && echo "man_examples: $n examples ran"
exit $failed
