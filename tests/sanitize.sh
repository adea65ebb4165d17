#!/bin/sh
# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer (`make sanitize`,
# part of `make check`).
#
#   sh tests/sanitize.sh SAN_BUILD
#
# SAN_BUILD holds dsjson and the unit tests built with
# -fsanitize=address,undefined -fno-sanitize-recover=all (see the Makefile).
# Runs the unit tests, the validation suites and the CLI tests on them; any
# sanitizer report (memory error, undefined behaviour, leak at exit) makes the
# test that triggered it fail.  Tests that cap virtual memory (ulimit -v) skip
# that part when DSJ_SANITIZE=1, since ASan reserves terabytes of address
# space.  Prints the time taken and "sanitizers: N passed, M failed".
set -u
SB=${1:?usage: tests/sanitize.sh SAN_BUILD}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
[ -x "$SB/dsjson" ] || { echo "sanitize: $SB/dsjson missing (make sanitize builds it)" >&2; exit 2; }

ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86:strict_string_checks=1:detect_stack_use_after_return=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=87
LSAN_OPTIONS=exitcode=88
DSJ_SANITIZE=1
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS DSJ_SANITIZE

# CLI tests that compile examples against $SB/libdsjson.a call `cc`: link them with the sanitizers too.
mkdir -p "$SB/.ccwrap"
real_cc=$(command -v cc)
printf '#!/bin/sh\nexec %s -fsanitize=address,undefined "$@"\n' "$real_cc" >"$SB/.ccwrap/cc"
chmod +x "$SB/.ccwrap/cc"
case "$SB" in /*) PATH="$SB/.ccwrap:$PATH" ;; *) PATH="$ROOT/$SB/.ccwrap:$PATH" ;; esac
export PATH

start=$(date +%s)
pass=0; fail=0; failed=""
step() {
    name=$1; shift
    t0=$(date +%s)
    if "$@" >"$SB/sanitize-$name.log" 2>&1; then
        pass=$((pass + 1))
        echo "  sanitize $name: $(tail -1 "$SB/sanitize-$name.log") ($(( $(date +%s) - t0 )) s)"
    else
        fail=$((fail + 1)); failed="$failed $name"
        echo "FAIL sanitize $name (log: $SB/sanitize-$name.log)"
        grep -E "ERROR: (Address|Leak)Sanitizer|runtime error|^SUMMARY|^FAIL" "$SB/sanitize-$name.log" | head -20 | sed -e 's/^/  /'
        tail -5 "$SB/sanitize-$name.log" | sed -e 's/^/  /'
    fi
}
# unit tests and suites at once (2 cores), then the CLI tests.
step unit sh tests/run-unit.sh $(ls "$SB"/tests/test_* | grep -v '\.log$') >"$SB/sanitize-unit.out" &
upid=$!
step suites sh tests/run-suites.sh "$SB/dsjson"
wait $upid
cat "$SB/sanitize-unit.out"
grep -q "^FAIL" "$SB/sanitize-unit.out" && { fail=$((fail + 1)); failed="$failed unit"; } || pass=$((pass + 1))
step cli sh tests/cli/run.sh "$SB/dsjson"
echo "sanitizers: $pass passed, $fail failed ($(( $(date +%s) - start )) s)"
[ "$fail" -eq 0 ] || { echo "failed:$failed"; exit 1; }
