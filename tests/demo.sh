#!/usr/bin/env bash
# The README's demo: trace the bundled demo workload, then prove the shadow
# of its address space exact against the kernel's /proc/<pid>/maps.
set -eu
cd "$(dirname "$0")/.."
demo=.output/workloads/demo
echo "\$ maptrace trace -- $demo"
./maptrace trace -- "$demo"
echo
echo "\$ maptrace verify -- $demo"
./maptrace verify -- "$demo"
