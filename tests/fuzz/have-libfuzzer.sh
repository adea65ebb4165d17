#!/bin/sh
# Exit 0 when CC (default clang) can build and link a libFuzzer program with
# ASan and UBSan; used by `make fuzz-smoke` to skip cleanly elsewhere.
CC=${1:-clang}
command -v "$CC" >/dev/null 2>&1 || exit 1
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$d/t.c"
"$CC" -fsanitize=fuzzer,address,undefined -o "$d/t" "$d/t.c" >/dev/null 2>&1
