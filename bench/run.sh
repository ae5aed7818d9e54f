#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench/run.sh - maptrace's benchmark suite: `make bench` (as root).
#
# Builds its own workloads (bench/workloads/*.c) and helpers (bench/tools/*.c)
# into bench/.build/, then measures five things and prints one table each:
#   1. traced-program overhead of maptrace stat/trace/verify and of strace,
#      perf trace and bpftrace, on four mapping-heavy workloads;
#   2. what a running maptrace costs processes it does not trace;
#   3. the event throughput ceiling: calls/s, lost events, loader CPU;
#   4. snapshot and reconcile cost for 100, 10,000 and 65,000 mappings;
#   5. the tracer's memory while 1,000 processes hold 1,000 mappings each.
# Every timing is the median (with min and max) of BENCH_RUNS rounds that
# run the variants interleaved (A B C A B C ...), so a slow minute of a
# shared machine hits every variant alike; ratios are against the untraced
# run measured in the same rounds. bench/RESULTS.md is written anew with
# the machine's description and every table.
#
# Environment:
#   BENCH_RUNS=N        rounds per measurement (default 5)
#   BENCH_TARGET_MS=MS  untraced duration the workloads are calibrated to (700)
#   BENCH_SECTIONS="1 2 3 4 5"  run only these sections (RESULTS.md then
#                       holds only them: for development)
#   BENCH_TRACERS="stacks_fp stacks_dwarf"  section 1: only these tracer rows
#                       (labels: stat trace verify serve bt_count bt_print strace
#                       perf stacks_fp stacks_dwarf; default all)
#   BENCH_WORKLOADS="a"  section 1: only these workloads (default a b c d)
#
# Timing is wall clock from fork to exit of the measured command, taken by
# bench/tools/runstat (no shell in between). Nothing here asserts a time:
# missed targets are printed with what was measured.
#
# This file is the driver (checks, build, the run's context, the report);
# bench/lib.sh has the helpers, bench/tracers.sh the tracers compared, and
# bench/sections/N.sh section N.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
B=$ROOT/bench/.build
DATA=$B/data
LOG=$B/bench.log
MT=$ROOT/maptrace
RESULTS=$ROOT/bench/RESULTS.md
RUNS=${BENCH_RUNS:-5}
TARGET_MS=${BENCH_TARGET_MS:-700}
SECTIONS=${BENCH_SECTIONS:-1 2 3 4 5}
ONLY_TRACERS=${BENCH_TRACERS:-}
WORKLOADS=${BENCH_WORKLOADS:-a b c d}
TIMEOUT=300 # seconds: no single measured command may hang the suite
CFLAGS_BENCH=(-std=gnu11 -O2 -g -Wall -Wextra -Werror -Wformat=2 -D_GNU_SOURCE)

die() {
	echo "bench: $*" >&2
	exit 1
}
note() { printf 'bench: %s\n' "$*" >&2; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer (got '$RUNS')"
[[ $TARGET_MS =~ ^[1-9][0-9]*$ ]] || die "BENCH_TARGET_MS must be a positive integer (got '$TARGET_MS')"
[ "$(id -u)" = 0 ] || die "the benchmarks load BPF programs and run strace/perf/bpftrace: run as root (sudo make bench)"
[ -x "$MT" ] || die "$MT is missing: run make first"

bench/install-deps

# perf trace and bpftrace's syscall tracepoints need tracefs.
if [ ! -d /sys/kernel/tracing/events/syscalls ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
	[ -d /sys/kernel/tracing/events/syscalls ] ||
		die "tracefs has no syscall events at /sys/kernel/tracing (mount -t tracefs nodev /sys/kernel/tracing failed or CONFIG_FTRACE_SYSCALLS is off): perf trace and bpftrace cannot run"
fi

# ---------------------------------------------------------------- build ---
mkdir -p "$B"
rm -rf "$DATA"
mkdir -p "$DATA"
: >"$LOG"
for src in bench/workloads/*.c; do
	name=$(basename "$src" .c)
	# like distribution binaries: no frame pointers
	gcc "${CFLAGS_BENCH[@]}" -fomit-frame-pointer "$src" -o "$B/$name" -lpthread
done
gcc "${CFLAGS_BENCH[@]}" bench/tools/runstat.c -o "$B/runstat"
# empty BPF programs on maptrace's two hot tracepoints (section 2's floor)
BPF_ARCH=$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
"$(command -v clang-19 || command -v clang)" -g -O2 -target bpf -D__TARGET_ARCH_"$BPF_ARCH" -Wall -Werror \
	-Ivmlinux -c bench/tools/empty_probes.bpf.c -o "$B/empty_probes.bpf.o"
gcc "${CFLAGS_BENCH[@]}" bench/tools/empty_probes.c -o "$B/empty_probes" $(pkg-config --libs libbpf)
# snapbench times maptrace's own snapshot code, the BPF iterator's included:
# it links what `make` built, the tracer's objects and the library of the
# layers below them (only what it calls), and libbpf.
gcc "${CFLAGS_BENCH[@]}" -Iinclude -Iuser bench/tools/snapbench.c "$ROOT"/.output/user/trace/*.o \
	"$ROOT/.output/libmaptrace.a" $(pkg-config --libs libbpf libelf libdw zlib) -liberty -o "$B/snapbench"
RUNSTAT=$B/runstat

# ------------------------------------------------------- the parts ---
# helpers (lib.sh), the tracers compared (tracers.sh), one file per section
. bench/lib.sh
T_START=$SECONDS
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# Other tracers on the machine add their cost to every syscall we time: say so.
PROGS_BEFORE=$(bpftool prog show --json 2>/dev/null | jq 'length' 2>/dev/null || echo unknown)
TRACERS_BEFORE=$({ ps -C maptrace,bpftrace,strace,perf -o comm= 2>/dev/null || true; } | sort | uniq -c |
	awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')
# and so do busy processes: those that used more than 20% of a core so far
HOGS_BEFORE=$(ps -eo pcpu=,pid=,etime=,comm= --sort=-pcpu |
	awk '$1 > 20 { printf "%s%s (pid %s, %s%% of a core for %s)", sep, $4, $2, $1, $3; sep = "; " }')
if awk -v l="${LOAD_BEFORE%% *}" 'BEGIN { exit !(l > 0.5) }'; then
	note "load average is $LOAD_BEFORE: other work on this machine will disturb the timings (recorded in RESULTS.md)"
fi

. bench/tracers.sh
for s in 1 2 3 4 5; do
	. "bench/sections/$s.sh"
done

# ---------------------------------------------------------------- report ---
machine() {
	local cpu mem virt
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	virt="bare metal or undetected"
	grep -qw hypervisor /proc/cpuinfo && virt="virtual machine (cpuinfo has the hypervisor flag)"
	echo "# maptrace benchmarks"
	echo ""
	echo "Written by \`make bench\` (bench/run.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'); regenerated on every run."
	echo "Medians of $RUNS interleaved rounds unless a section says otherwise (BENCH_RUNS=$RUNS)."
	echo ""
	echo "## Machine"
	echo ""
	echo "| | |"
	echo "|---|---|"
	echo "| kernel | $(uname -r) ($(uname -m)) |"
	echo "| CPU | $cpu |"
	echo "| cores | $(nproc) |"
	echo "| memory | $mem |"
	echo "| machine | $virt |"
	echo "| OS | $(. /etc/os-release && echo "$PRETTY_NAME") |"
	echo "| load average before / after | $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg) |"
	echo "| vm.max_map_count | $(cat /proc/sys/vm/max_map_count) |"
	echo "| BPF programs loaded when the run started | $PROGS_BEFORE (each tracer attached to raw syscall tracepoints taxes every syscall) |"
	echo "| tracer processes running when the run started | ${TRACERS_BEFORE:-none} |"
	echo "| busy processes when the run started (> 20% of a core) | ${HOGS_BEFORE:-none} |"
	echo "| maptrace | $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown) |"
	echo "| libbpf | $(pkg-config --modversion libbpf 2>/dev/null || echo unknown) |"
	echo "| gcc | $(gcc -dumpfullversion) |"
	echo "| strace | $(strace -V | head -1) |"
	echo "| perf | $(perf --version) |"
	echo "| bpftrace | $(bpftrace --version) |"
	echo "| hyperfine | $(hyperfine --version) |"
	echo "| total time of this run | $((SECONDS - T_START)) s |"
	echo ""
}

for s in 1 2 3 4 5; do
	want "$s" && "section$s"
done
{
	machine
	cat "$OUTMD"
} >"$RESULTS"
note "wrote $RESULTS in $((SECONDS - T_START)) s (raw results: $DATA, commands' output: $LOG)"
