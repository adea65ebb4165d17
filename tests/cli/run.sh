#!/bin/sh
echo "tests/cli/run.sh: not written yet"
exit 1
