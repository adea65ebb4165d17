#!/bin/sh
echo "tools/demo.sh: not written yet"
exit 1
