#!/bin/sh
echo "tests/corpus/run.sh: not written yet"
exit 1
