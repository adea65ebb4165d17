#!/bin/sh
# The C example of README.md compiles (warning-free) against the static library and works.
# usage: sh tests/cli/readme_example.sh BIN   (the library is looked for next to BIN)
set -u
BIN=$1
case "$BIN" in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIB=$(dirname "$BIN")/libdsjson.a
cd "$ROOT" || exit 1
[ -f "$LIB" ] || { echo "readme_example: $LIB not found"; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/dsj-readme.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT

# The block that starts with "/* count.c" and ends at the closing fence.
awk '/^\/\* count\.c/ { on = 1 } on && /^```/ { exit } on { print }' README.md >"$W/count.c"
[ -s "$W/count.c" ] || { echo "readme_example: no count.c block in README.md"; exit 1; }
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror -Ilibdsjson "$W/count.c" "$LIB" \
    $(pkg-config --libs libxml-2.0 json-c libpcre2-8 zlib) -lreadstat -lm -o "$W/count" || {
    echo "readme_example: the README example does not compile"; exit 1; }

"$W/count" testdata/examples/v1.1/sdtm/dm.json >"$W/out" || { echo "readme_example: exit $? on dm.json"; exit 1; }
head -1 "$W/out" | grep -qx 'DM (json): 26 columns' || { echo "readme_example: unexpected output:"; cat "$W/out"; exit 1; }
grep -qx 'USUBJID    18' "$W/out" || { echo "readme_example: USUBJID count wrong:"; cat "$W/out"; exit 1; }
"$W/count" testdata/examples/v1.1/sdtm/dm.dsjc | head -1 | grep -qx 'DM (dsjc): 26 columns' || {
    echo "readme_example: dsjc not read"; exit 1; }
"$W/count" tests/cli/data/dm3-truncated.json >/dev/null 2>"$W/err"
rc=$?
[ $rc -eq 2 ] || { echo "readme_example: truncated input: exit $rc, expected 2"; exit 1; }
grep -q 'dm3-truncated.json:1:' "$W/err" || { echo "readme_example: error without position:"; cat "$W/err"; exit 1; }

# The dsjson command lines of README.md run (exit 0 or 1; /tmp/ replaced by the scratch folder).
mkdir -p "$W/bin" && ln -s "$BIN" "$W/bin/dsjson"
awk '/^```sh/ { on = 1; next } /^```/ { on = 0 } on' README.md |
    sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*/ /; ta' | grep '^dsjson ' >"$W/cmds"
[ "$(wc -l <"$W/cmds")" -ge 5 ] || { echo "readme_example: too few dsjson examples in README.md"; exit 1; }
while IFS= read -r cmd; do
    cmd=$(printf '%s\n' "$cmd" | sed -e "s|/tmp/|$W/|g")
    PATH="$W/bin:$PATH" sh -c "$cmd" >"$W/out" 2>&1 </dev/null
    rc=$?
    [ $rc -le 1 ] || { echo "readme_example: exit $rc from: $cmd"; head -5 "$W/out"; exit 1; }
done <"$W/cmds"
echo "readme_example: ok ($(wc -l <"$W/cmds") command lines)"
