#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# under_serve.sh - run a command while `maptrace serve` traces the whole
# machine: the exporter as one of make bench's tracer rows. Its startup
# (BPF load, every process's address space read) and its stop are the
# row's fixed cost, which section 1 measures around /bin/true and
# subtracts; what is left is what a resident exporter costs a program.
# With --bpf-stats: the costlier way to run it (every BPF program run on
# the machine then reads the clock twice more).
#
#   bench/tools/under_serve.sh MAPTRACE COMMAND [ARGS...]
mt=$1
shift
err=$(mktemp) || exit 1
"$mt" serve --listen 127.0.0.1:0 --bpf-stats 2>"$err" &
pid=$!
while ! grep -q '^maptrace serve: serving' "$err"; do
	kill -0 "$pid" 2>/dev/null || { cat "$err" >&2; rm -f "$err"; exit 1; }
	sleep 0.01
done
"$@"
status=$?
kill -INT "$pid"
wait "$pid"
rm -f "$err"
exit "$status"
