#!/bin/sh
echo "tests/bench/run.sh: not written yet"
exit 1
