#!/bin/sh
# Run every CUnit test binary given; print a summary line; fail if any failed.
pass=0; fail=0; failed=""
for t in "$@"; do
    if "$t" > "$t.log" 2>&1; then
        pass=$((pass + 1))
        grep -E "^ +(tests|asserts) " "$t.log" | sed "s|^|  $(basename "$t"): |"
    else
        fail=$((fail + 1)); failed="$failed $(basename "$t")"
        cat "$t.log"
    fi
done
echo "unit tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { echo "failed:$failed"; exit 1; }
