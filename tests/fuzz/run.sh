#!/bin/sh
echo "tests/fuzz/run.sh: not written yet"
exit 1
