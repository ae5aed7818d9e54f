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
#                       (labels: stat trace verify bt_count bt_print strace
#                       perf stacks_fp stacks_dwarf; default all)
#   BENCH_WORKLOADS="a"  section 1: only these workloads (default a b c d)
#
# Timing is wall clock from fork to exit of the measured command, taken by
# bench/tools/runstat (no shell in between). Nothing here asserts a time:
# missed targets are printed with what was measured.
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
	"$ROOT/.output/libmaptrace.a" $(pkg-config --libs libbpf libelf libdw zlib) -o "$B/snapbench"
RUNSTAT=$B/runstat

# --------------------------------------------------------------- helpers ---
# A command is its words joined by '|' (bpftrace -c takes a command line as
# one word with spaces in it).
cmd() {
	local IFS='|'
	echo "$*"
}

# run PREFIX CMD [RUNSTAT-OPTIONS...]: run CMD once under runstat; append its
# wall time (ns) to PREFIX.wall, its status to PREFIX.status and runstat's
# whole line to PREFIX.res. Output of CMD goes to PREFIX.out (last run) and
# the log.
run() {
	local prefix=$1 line kv wall=0 status='?'
	local -a argv
	IFS='|' read -ra argv <<<"$2"
	shift 2
	"$RUNSTAT" -r "$prefix.last" -k "$TIMEOUT" "$@" -- "${argv[@]}" >"$prefix.out" 2>&1 </dev/null
	{
		echo "== ${argv[*]}"
		cat "$prefix.out"
	} >>"$LOG"
	cat "$prefix.out" >>"$prefix.outs"
	read -r line <"$prefix.last"
	for kv in $line; do
		case $kv in
		wall_ns=*) wall=${kv#wall_ns=} ;;
		status=*) status=${kv#status=} ;;
		esac
	done
	echo "$wall" >>"$prefix.wall"
	echo "$status" >>"$prefix.status"
	echo "$line" >>"$prefix.res"
}

# interleave GROUP ROUNDS LABEL CMD [LABEL CMD ...]: ROUNDS rounds, each
# running every CMD once in the order given; results under $DATA/GROUP/LABEL.
interleave() {
	local group=$1 rounds=$2 r i
	shift 2
	local -a labels=() cmds=()
	while (($#)); do
		labels+=("$1")
		cmds+=("$2")
		shift 2
	done
	mkdir -p "$DATA/$group"
	for ((r = 1; r <= rounds; r++)); do
		for i in "${!labels[@]}"; do
			run "$DATA/$group/${labels[i]}" "${cmds[i]}"
		done
	done
}

# stats FILE: "median min max" of the numbers in FILE (one per line)
stats() {
	sort -g "$1" | awk '{ v[NR] = $1 }
		END {
			if (!NR) { print "nan nan nan"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.0f %.0f %.0f\n", m, v[1], v[NR]
		}'
}
median() { stats "$1" | cut -d' ' -f1; }

# statuses PREFIX: "ok" when every run exited 0, else the odd ones counted
statuses() {
	sort "$1.status" | uniq -c | awk '$2 != "0" { bad = bad sep $1 "x exit " $2; sep = ", " }
		END { print bad == "" ? "ok" : bad }'
}

# cpu PREFIX: median own CPU (utime+stime, ns) of the runs recorded under PREFIX
cpu() {
	sed -e 's/.*utime_ns=\([0-9-]*\) stime_ns=\([0-9-]*\).*/\1 \2/' "$1.res" |
		awk '{ print $1 + $2 }' >"$1.cpu"
	median "$1.cpu"
}

# calc EXPR: awk arithmetic, printed with %s (callers format)
calc() { awk "BEGIN { print $1 }"; }
fmt() { awk -v v="$2" "BEGIN { printf \"$1\", v }"; }
secs() { fmt '%.3f' "$(calc "$1 / 1e9")"; }
# group digits: 1234567 -> 1,234,567
commas() { printf '%s' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|[,.]\)/\1,\2\3/' -e 'ta'; }

# total mapping calls in a `maptrace stat --json` file, and its lost events
json_calls() { jq '[.total.calls[]] | add' "$1"; }
json_lost() { jq '.lost_events' "$1"; }

# count_calls CMD: exact mapping calls of one run of CMD (maptrace stat --json)
count_calls() {
	local j=$DATA/calls.json
	local -a argv
	IFS='|' read -ra argv <<<"$1"
	"$MT" stat --json -o "$j" -- "${argv[@]}" >>"$LOG" 2>&1 </dev/null ||
		die "maptrace stat --json -- ${argv[*]} failed (see $LOG)"
	[ "$(json_lost "$j")" = 0 ] || note "counting ${argv[*]}: $(json_lost "$j") events lost: the call count is a lower bound"
	json_calls "$j"
}

# calibrate CMD C0 [ARGS...]: an iteration count that makes CMD take
# TARGET_MS: a first estimate from a run at C0, refined by a run at a third
# of it (two significant digits)
calibrate() {
	local c0=$2 w n i
	for i in 1 2; do
		run "$DATA/calib" "$(cmd "$1" "$c0" "${@:3}")"
		w=$(tail -1 "$DATA/calib.wall")
		n=$(calc "$c0 * $TARGET_MS * 1e6 / $w")
		c0=$(awk -v n="$n" 'BEGIN { n = int(n / 3); printf "%d\n", n < 100 ? 100 : n }')
	done
	rm -f "$DATA"/calib.*
	awk -v n="$n" 'BEGIN { d = 10 ^ (length(sprintf("%d", n)) - 2); n = int(n / d + 0.5) * d;
		printf "%d\n", n < 1000 ? 1000 : n }'
}

# the kernel's name for where a task sleeps in epoll_wait: maptrace's poll
# loop, i.e. attached and running
wait_polling() {
	local pid=$1 i w
	for ((i = 0; i < 1500; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		w=$(cat "/proc/$pid/wchan" 2>/dev/null || true)
		case $w in *epoll*|ep_poll*) return 0 ;; esac
		sleep 0.02
	done
	return 1
}

# wait_file FILE WORD PID: until FILE holds WORD (PID must stay alive)
wait_file() {
	local i
	for ((i = 0; i < 6000; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

OUTMD=$DATA/sections.md
: >"$OUTMD"
# emit: a line of the report, to the terminal and RESULTS.md
emit() { printf '%s\n' "$*" | tee -a "$OUTMD"; }
section_time() { note "section $1 took $((SECONDS - $2)) s"; }
want() { [[ " $SECTIONS " == *" $1 "* ]]; }
want_tracer() { [ -z "$ONLY_TRACERS" ] || [[ " $ONLY_TRACERS " == *" $1 "* ]]; }

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

# Startup and teardown: each tracer around /bin/true. "fixed" = its median
# minus the median of /bin/true alone. Used by sections 1 and 2.
TRUE=/bin/true
MT_STAT=$(cmd "$MT" stat -o /dev/null --)
MT_TRACE=$(cmd "$MT" trace -o /dev/null --)
MT_VERIFY=$(cmd "$MT" verify -q -i 0 --)
STRACE=$(cmd strace -f -qq -o /dev/null -e trace=mmap,munmap,mprotect,brk,mremap --)
# perf 6.1 has no -q for trace (its summary goes to -o anyway)
PERF=$(cmd perf trace -o /dev/null -e mmap,munmap,mprotect,brk,mremap --)
BT_COUNT="bpftrace|-o|/dev/null|$ROOT/bench/bpftrace/count.bt|-c"
BT_PRINT="bpftrace|-o|/dev/null|$ROOT/bench/bpftrace/print.bt|-c"

# tracer table rows: label, description, command prefix, group
TRACERS=(stat trace verify bt_count bt_print strace perf)
declare -A T_DESC=(
	[untraced]="untraced"
	[stat]="\`maptrace stat -o /dev/null\`"
	[trace]="\`maptrace trace -o /dev/null\`"
	[verify]="\`maptrace verify -q -i 0\` (exit checkpoint only)"
	[bt_count]="bpftrace, count in kernel (bench/bpftrace/count.bt)"
	[bt_print]="bpftrace, printf each call (bench/bpftrace/print.bt)"
	[strace]="\`strace -f -qq -o /dev/null -e trace=mmap,munmap,mprotect,brk,mremap\`"
	[perf]="\`perf trace -o /dev/null -e mmap,munmap,mprotect,brk,mremap\`"
)
declare -A T_PREFIX=([stat]=$MT_STAT [trace]=$MT_TRACE [verify]=$MT_VERIFY
	[strace]=$STRACE [perf]=$PERF [bt_count]=$BT_COUNT [bt_print]=$BT_PRINT)
# strace and perf trace are 5-30x slower: they run a tenth of the iterations
# (against an untraced run of that size), so that the suite fits in 15 min
declare -A T_GROUP=([stat]=full [trace]=full [verify]=full [bt_count]=full [bt_print]=full
	[strace]=tenth [perf]=tenth)

# traced CMD-PREFIX WORKLOAD-CMD: the full command line of a tracer variant
traced() {
	case $1 in
	bpftrace*) echo "$1|${2//|/ }" ;; # bpftrace -c takes one string
	*) echo "$1|$2" ;;
	esac
}

# Rows for `maptrace trace --stacks fp|dwarf`, measured when this maptrace
# offers --stacks (older builds: the rows say n/a and why).
declare -A STACKS_NA=([fp]="n/a (stacks not implemented)" [dwarf]="n/a (stacks not implemented)")
detect_stacks() {
	local m
	"$MT" trace --help 2>&1 | grep -q -- '--stacks' || return 0
	for m in fp dwarf; do
		if "$MT" trace --stacks "$m" -o /dev/null -- "$TRUE" >>"$LOG" 2>&1 </dev/null; then
			TRACERS+=("stacks_$m")
			T_DESC[stacks_$m]="\`maptrace trace --stacks $m -o /dev/null\`"
			T_PREFIX[stacks_$m]=$(cmd "$MT" trace --stacks "$m" -o /dev/null --)
			T_GROUP[stacks_$m]=full
			STACKS_NA[$m]=
		else
			STACKS_NA[$m]="n/a (\`trace --stacks $m\` failed on /bin/true: see the log)"
		fi
	done
}

declare -A FIXED # tracer -> fixed startup+teardown cost, ns
startup_costs() {
	local t args=(true "$TRUE")
	for t in "${TRACERS[@]}"; do
		args+=("$t" "$(traced "${T_PREFIX[$t]}" "$TRUE")")
	done
	interleave startup "$RUNS" "${args[@]}"
	local base
	base=$(median "$DATA/startup/true.wall")
	for t in "${TRACERS[@]}"; do
		FIXED[$t]=$(calc "$(median "$DATA/startup/$t.wall") - $base")
	done
}

# ------------------------------------------------------------ section 1 ---
section1() {
	local t0=$SECONDS
	emit "## 1. Traced-program overhead"
	emit ""
	emit "Each workload is calibrated to run about ${TARGET_MS} ms untraced; rows are medians of $RUNS interleaved"
	emit "rounds. **raw** columns include the tracer's startup (BPF load, bpftrace's LLVM compile, ...) and"
	emit "teardown; **net** columns first subtract that fixed cost, measured as the tracer around \`/bin/true\`"
	emit "(table 1.0). Ratios are against the untraced median of the same rounds and size; +ns/call is"
	emit "(traced median - untraced median) / mapping calls, with the call count taken once with"
	emit "\`maptrace stat --json\` (it includes the ~30 calls of the dynamic loader). strace and perf trace"
	emit "run a tenth of the iterations (their calls column says so) so that the suite fits in 15 minutes."
	emit "own CPU: utime+stime of the measured process alone (for a tracer: the tracer, not the workload)."
	emit ""
	detect_stacks
	if [ -n "$ONLY_TRACERS" ]; then
		local -a kept=()
		for t in "${TRACERS[@]}"; do want_tracer "$t" && kept+=("$t"); done
		TRACERS=("${kept[@]}")
	fi
	startup_costs
	emit "### 1.0 Fixed cost: each tracer around \`/bin/true\`"
	emit ""
	emit "| tracer | median s | min s | max s | fixed cost s (median - /bin/true median) | own CPU s | runs |"
	emit "|---|---:|---:|---:|---:|---:|---|"
	local t st
	read -r -a st <<<"$(stats "$DATA/startup/true.wall")"
	emit "| /bin/true alone | $(secs "${st[0]}") | $(secs "${st[1]}") | $(secs "${st[2]}") | |" \
		"$(secs "$(cpu "$DATA/startup/true")") | $(statuses "$DATA/startup/true") |"
	for t in "${TRACERS[@]}"; do
		read -r -a st <<<"$(stats "$DATA/startup/$t.wall")"
		emit "| ${T_DESC[$t]} | $(secs "${st[0]}") | $(secs "${st[1]}") | $(secs "${st[2]}") | $(secs "${FIXED[$t]}") |" \
			"$(secs "$(cpu "$DATA/startup/$t")") | $(statuses "$DATA/startup/$t") |"
	done
	emit ""
	emit "A tracer's fixed cost is not always purely additive: a tracer that notices its command's exit"
	emit "only at its next poll timeout spends part of it waiting, and that wait overlaps a longer"
	emit "workload. A net figure below the untraced one (ratio under 1, negative ns) means exactly that."
	emit ""

	local -a wl_names
	read -r -a wl_names <<<"$WORKLOADS"
	declare -A wl_bin=([a]=mmap_loop [b]=malloc_free [c]=brk_loop [d]=mmap_loop)
	declare -A wl_extra=([a]="" [b]="" [c]="" [d]="2")
	declare -A wl_c0=([a]=20000 [b]=20000 [c]=30000 [d]=10000)
	declare -A wl_desc=(
		[a]="(a) mmap 16 KiB / touch / mprotect / munmap loop, 1 thread"
		[b]="(b) malloc/free of 256 KiB with M_MMAP_THRESHOLD = 128 KiB"
		[c]="(c) brk grow 64 KiB / touch / brk shrink"
		[d]="(d) workload (a) in 2 threads of one process (iterations per thread)")
	local w
	for w in "${wl_names[@]}"; do
		local base="$B/${wl_bin[$w]}" n n10 wfull wtenth calls calls10 g
		n=$(calibrate "$base" "${wl_c0[$w]}" ${wl_extra[$w]:+"${wl_extra[$w]}"})
		n10=$((n / 10))
		wfull=$(cmd "$base" "$n" ${wl_extra[$w]:+"${wl_extra[$w]}"})
		wtenth=$(cmd "$base" "$n10" ${wl_extra[$w]:+"${wl_extra[$w]}"})
		calls=$(count_calls "$wfull")
		calls10=$(count_calls "$wtenth")
		local -a full=(untraced "$wfull") tenth=(untraced "$wtenth")
		for t in "${TRACERS[@]}"; do
			if [ "${T_GROUP[$t]}" = full ]; then
				full+=("$t" "$(traced "${T_PREFIX[$t]}" "$wfull")")
			else
				tenth+=("$t" "$(traced "${T_PREFIX[$t]}" "$wtenth")")
			fi
		done
		note "section 1 ($w): ${wfull//|/ }: $calls mapping calls; $RUNS rounds"
		interleave "w$w-full" "$RUNS" "${full[@]}"
		interleave "w$w-tenth" "$RUNS" "${tenth[@]}"

		emit "### 1.$w ${wl_desc[$w]}"
		emit ""
		local shown=${wfull//|/ } shown10=${wtenth//|/ }
		emit "\`${shown#"$B/"}\`: $(commas "$calls") mapping calls (a tenth: \`${shown10#"$B/"}\`, $(commas "$calls10") calls)."
		emit ""
		emit "| tracer | calls | median s | min s | max s | ratio raw | ratio net | +ns/call raw | +ns/call net | own CPU s | runs |"
		emit "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
		for g in full tenth; do
			local c=$calls um
			[ $g = tenth ] && c=$calls10
			um=$(median "$DATA/w$w-$g/untraced.wall")
			read -r -a st <<<"$(stats "$DATA/w$w-$g/untraced.wall")"
			local ulabel=untraced
			[ $g = tenth ] && ulabel="untraced, a tenth of the iterations"
			emit "| $ulabel | $(commas "$c") | $(secs "${st[0]}") | $(secs "${st[1]}") | $(secs "${st[2]}") | 1.00x | 1.00x | 0 | 0 |" \
				"$(secs "$(cpu "$DATA/w$w-$g/untraced")") | $(statuses "$DATA/w$w-$g/untraced") |"
			for t in "${TRACERS[@]}"; do
				[ "${T_GROUP[$t]}" = $g ] || continue
				local p="$DATA/w$w-$g/$t"
				read -r -a st <<<"$(stats "$p.wall")"
				emit "| ${T_DESC[$t]} | $(commas "$c") | $(secs "${st[0]}") | $(secs "${st[1]}") | $(secs "${st[2]}") |" \
					"$(fmt '%.2fx' "$(calc "${st[0]} / $um")") |" \
					"$(fmt '%.2fx' "$(calc "(${st[0]} - ${FIXED[$t]}) / $um")") |" \
					"$(fmt '%.0f' "$(calc "(${st[0]} - $um) / $c")") |" \
					"$(fmt '%.0f' "$(calc "(${st[0]} - ${FIXED[$t]} - $um) / $c")") |" \
					"$(secs "$(cpu "$p")") | $(statuses "$p") |"
				echo "$w $t $(calc "${st[0]} / $um") $(calc "(${st[0]} - ${FIXED[$t]}) / $um") $(calc "(${st[0]} - ${FIXED[$t]} - $um) / $c")" >>"$DATA/ratios"
			done
			if [ $g = full ]; then
				[ -z "${STACKS_NA[fp]}" ] ||
					emit "| \`maptrace trace\` with frame-pointer stacks | | ${STACKS_NA[fp]} | | | | | | | | |"
				[ -z "${STACKS_NA[dwarf]}" ] ||
					emit "| \`maptrace trace\` with DWARF stacks | | ${STACKS_NA[dwarf]} | | | | | | | | |"
			fi
		done
		emit ""
	done
	targets1
	want_tracer stat && bpf_profile "$(calibrate "$B/mmap_loop" 20000)"
	section_time 1 "$t0"
}

# ratio_of WORKLOAD TRACER FIELD(3=raw, 4=net, 5=net ns/call)
ratio_of() { awk -v w="$1" -v t="$2" -v f="$3" '$1 == w && $2 == t { print $f }' "$DATA/ratios"; }

targets1() {
	emit "### 1.t Targets (workload a)"
	emit ""
	emit "| tracer | target | raw | net | verdict |"
	emit "|---|---|---:|---:|---|"
	local t target kind raw net verdict
	for t in stat:1.25:max trace:1.4:max stacks_dwarf:2.5:max bt_count:1.6:ref strace:26:ref perf:14:ref; do
		IFS=: read -r t target kind <<<"$t"
		if [ "$t" = stacks_dwarf ] && [ -n "${STACKS_NA[dwarf]}" ]; then
			emit "| \`maptrace trace --stacks dwarf -o /dev/null\` | <= ${target}x | | | ${STACKS_NA[dwarf]} |"
			continue
		fi
		want_tracer "$t" || continue
		raw=$(ratio_of a "$t" 3)
		net=$(ratio_of a "$t" 4)
		[ -n "$raw" ] || continue # workload (a) not run (BENCH_WORKLOADS)
		if [ "$kind" = max ]; then
			verdict="raw $(awk -v r="$raw" -v m="$target" 'BEGIN { print r <= m ? "met" : "MISSED" }'),"
			verdict+=" net $(awk -v r="$net" -v m="$target" 'BEGIN { print r <= m ? "met" : "MISSED" }')"
			target="<= ${target}x"
		else
			verdict="reference"
			target="~ ${target}x"
		fi
		emit "| ${T_DESC[$t]} | $target | $(fmt '%.2fx' "$raw") | $(fmt '%.2fx' "$net") | $verdict |"
	done
	emit ""
	# the notes below quote rows a subset run may lack
	[ -n "$(ratio_of a stat 3)" ] && [ -n "$(ratio_of a trace 3)" ] && [ -n "$(ratio_of a verify 3)" ] &&
		[ -n "$(ratio_of a bt_count 3)" ] || return 0
	emit "With a fixed cost of F seconds (table 1.0), a raw ratio of 1.25x on a workload of W seconds"
	emit "needs F + W x (s - 1) <= 0.25 W (s: the slowdown of the calls themselves): with maptrace stat's F = $(secs "${FIXED[stat]}") s that is"
	emit "out of reach for any workload under $(fmt '%.1f' "$(calc "${FIXED[stat]} / 0.25e9")") s even at zero cost per call."
	local slow
	slow=$(ratio_of a stat 4)
	if awk -v s="$slow" 'BEGIN { exit !(s < 1.25) }'; then
		emit "At this run's slowdown of the calls themselves (s = net ratio, $(fmt '%.2f' "$slow")x), the raw ratio of"
		emit "\`maptrace stat\` comes under 1.25x for workloads longer than F / (1.25 - s) ="
		emit "$(fmt '%.1f' "$(calc "${FIXED[stat]} / 1e9 / (1.25 - $slow)")") s; workload (a) runs $(secs "$(median "$DATA/wa-full/untraced.wall")") s untraced."
	fi
	emit ""
	emit "Added cost per mapping call, net of startup (ns, workload a):" \
		"maptrace stat $(fmt '%.0f' "$(ratio_of a stat 5)")," \
		"trace $(fmt '%.0f' "$(ratio_of a trace 5)")," \
		"verify $(fmt '%.0f' "$(ratio_of a verify 5)")," \
		"bpftrace count $(fmt '%.0f' "$(ratio_of a bt_count 5)")."
	emit ""
}

# bpf_profile N: where maptrace's kernel-side time goes on workload (a):
# kernel.bpf_stats_enabled counts runs and run time of every BPF program;
# ours are the ones loaded after the "before" list (other sessions may run
# their own maptrace at the same time: their programs have other ids).
BPF_STATS_PREV=
restore_bpf_stats() {
	if [ -n "$BPF_STATS_PREV" ]; then
		sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS_PREV" || true
		BPF_STATS_PREV=
	fi
}
trap restore_bpf_stats EXIT

bpf_profile() {
	local n=$1 mtpid calls d=$DATA/prof
	mkdir -p "$d"
	emit "### 1.p Where maptrace's kernel time goes (workload a, \`maptrace stat\`, one run)"
	emit ""
	bpftool prog show --json | jq '.[].id' >"$d/before"
	BPF_STATS_PREV=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -qw kernel.bpf_stats_enabled=1
	# the shell keeps maptrace attached after the workload, while we read the counters
	# shellcheck disable=SC2016 # expanded by that shell
	"$MT" stat --json -o "$d/stat.json" -- sh -c '"$1" "$2" && echo done >"$3" && sleep 2' \
		sh "$B/mmap_loop" "$n" "$d/done" >>"$LOG" 2>&1 </dev/null &
	mtpid=$!
	wait_file "$d/done" "done" "$mtpid" || die "the profiling run failed (see $LOG)"
	bpftool prog show --json >"$d/progs.json"
	restore_bpf_stats
	wait "$mtpid" || true
	calls=$(json_calls "$d/stat.json")
	emit "kernel.bpf_stats_enabled=1 (which itself adds ~20-40 ns per program run), \`mmap_loop $n\` under"
	emit "\`maptrace stat\`: $(commas "$calls") mapping calls. Programs that never ran are left out."
	emit "(The raw sys_exit program runs for every syscall of every process; it returns at once"
	emit "for the untraced, see section 2.)"
	emit ""
	emit "| BPF program | runs | runs per mapping call | ns per run | ns per mapping call |"
	emit "|---|---:|---:|---:|---:|"
	jq -r --slurpfile before "$d/before" '
		.[] | select((.id as $i | $before | index($i)) == null) | select((.run_cnt // 0) > 0) |
		"\(.name) \(.run_cnt) \(.run_time_ns)"' "$d/progs.json" | sort -k3,3nr >"$d/ours"
	local name runs ns total=0
	while read -r name runs ns; do
		total=$((total + ns))
		emit "| $name | $(commas "$runs") | $(fmt '%.2f' "$(calc "$runs / $calls")") |" \
			"$(fmt '%.0f' "$(calc "$ns / $runs")") | $(fmt '%.0f' "$(calc "$ns / $calls")") |"
	done <"$d/ours"
	emit "| all | | | | $(fmt '%.0f' "$(calc "$total / $calls")") |"
	emit ""
	emit "Compare with the measured +ns/call net of table 1.a: the rest is tracepoint dispatch, ring buffer"
	emit "wakeups of the loader, and the loader competing for the machine's $(nproc) cores."
	emit ""
}

# ------------------------------------------------------------ section 2 ---
# bg_run PREFIX BG-ARGS... -- CMD: start maptrace BG-ARGS in the background,
# wait until it polls, time CMD, stop it; its stderr goes to PREFIX.bgerr
bg_run() {
	local prefix=$1 bgpid
	shift
	local -a bg=()
	while [ "$1" != -- ]; do
		bg+=("$1")
		shift
	done
	shift
	"$MT" "${bg[@]}" >>"$LOG" 2>>"$prefix.bgerr" </dev/null &
	bgpid=$!
	wait_polling "$bgpid" || die "maptrace ${bg[*]} did not start (see $prefix.bgerr)"
	run "$prefix" "$1"
	bg_stop "$prefix" "$bgpid"
}

# empty_run PREFIX CMD: run CMD once while empty BPF programs sit on
# maptrace's two hot tracepoints (bench/tools/empty_probes.c)
empty_run() {
	local prefix=$1 bgpid
	"$B/empty_probes" "$B/empty_probes.bpf.o" >"$prefix.ready" 2>>"$prefix.bgerr" </dev/null &
	bgpid=$!
	wait_file "$prefix.ready" attached "$bgpid" || die "empty_probes did not start (see $prefix.bgerr)"
	run "$prefix" "$2"
	bg_stop "$prefix" "$bgpid"
}

# bg_stop PREFIX PID: stop a background program with SIGINT; record its status
bg_stop() {
	local rc=0
	kill -INT "$2"
	wait "$2" || rc=$?
	echo "$rc" >>"$1.bgstatus"
}

section2() {
	local t0=$SECONDS n_a n_g sleeper r w v st p um
	emit "## 2. Cost to processes maptrace does not trace"
	emit ""
	emit "The workload runs untraced while maptrace runs in the background (started and attached before,"
	emit "stopped after each run; its startup is not timed). **-p other**: \`maptrace trace -p PID -o /dev/null\`"
	emit "on an idle \`sleep\`: the workload is not traced, but the raw sys_exit program runs for"
	emit "each of its syscalls and filters it out. **-a**: \`maptrace trace -a -o /dev/null\`: everything is traced,"
	emit "the workload included. **empty programs**: no maptrace, but two BPF programs that return at once"
	emit "on the same two tracepoints (bench/tools/empty_probes.bpf.c): what the kernel charges for running"
	emit "any program there. Medians of $RUNS interleaved rounds (none, empty, -p other, -a)."
	emit ""
	n_a=$(calibrate "$B/mmap_loop" 20000)
	n_g=$(calibrate "$B/getppid_loop" 1000000)
	sleep 100000 &
	sleeper=$!
	for w in a g; do
		local wc
		[ $w = a ] && wc=$(cmd "$B/mmap_loop" "$n_a") || wc=$(cmd "$B/getppid_loop" "$n_g")
		mkdir -p "$DATA/s2$w"
		for ((r = 1; r <= RUNS; r++)); do
			run "$DATA/s2$w/none" "$wc"
			empty_run "$DATA/s2$w/empty" "$wc"
			bg_run "$DATA/s2$w/other" trace -p "$sleeper" -o /dev/null -- "$wc"
			bg_run "$DATA/s2$w/all" trace -a -o /dev/null -- "$wc"
		done
	done
	kill "$sleeper"
	wait "$sleeper" 2>/dev/null || true
	emit "| workload | maptrace in the background | median s | min s | max s | ratio | +ns/syscall | runs |"
	emit "|---|---|---:|---:|---:|---:|---:|---|"
	for w in a g; do
		local desc calls
		if [ $w = a ]; then
			desc="(a) \`mmap_loop $n_a\`"
			calls=$((n_a * 3))
		else
			desc="\`getppid_loop $n_g\` (no mapping calls)"
			calls=$n_g
		fi
		um=$(median "$DATA/s2$w/none.wall")
		for v in none empty other all; do
			p=$DATA/s2$w/$v
			read -r -a st <<<"$(stats "$p.wall")"
			local what=none
			[ $v = empty ] && what="empty BPF programs (no maptrace)"
			[ $v = other ] && what="\`trace -p\` other process"
			[ $v = all ] && what="\`trace -a\` (workload traced)"
			local lost=""
			if [ -f "$p.bgerr" ] && grep -q 'events lost' "$p.bgerr"; then
				lost=" (tracer lost events: see log)"
			fi
			emit "| $desc | $what | $(secs "${st[0]}") | $(secs "${st[1]}") | $(secs "${st[2]}") |" \
				"$(fmt '%.3fx' "$(calc "${st[0]} / $um")") | $(fmt '%.1f' "$(calc "(${st[0]} - $um) / $calls")") |" \
				"$(statuses "$p")$lost |"
		done
	done
	emit ""
	emit "+ns/syscall divides by the workload's loop syscalls (3 per iteration for (a), 1 for getppid)."
	emit "Under -a the workload is traced too: compare that row with table 1.a, not with the untraced cost."
	emit "The (a) rows build up what a traced mapping call costs: **empty programs** is the kernel's dispatch"
	emit "(the tracepoints, entering and leaving a BPF program; no BPF tool can go below it), \`trace -p\`"
	emit "adds maptrace's filtering (sys_exit and the mmap-lock program look the thread up and let it go),"
	emit "and tracing the call adds building, ordering and delivering its event (table 1.a, +ns/call net)."
	emit ""
	section_time 2 "$t0"
}

# ------------------------------------------------------------ section 3 ---
section3() {
	local t0=$SECONDS ms=2000 rounds=$((RUNS < 3 ? RUNS : 3)) r g s p
	local -a sizes=(1M 8M 64M) gens=(1 2)
	emit "## 3. Event throughput ceiling"
	emit ""
	emit "\`churn $ms G\`: G processes each mmap and munmap one page flat out for $ms ms, untraced and under"
	emit "\`maptrace stat -b SIZE --json\` (medians of $rounds interleaved rounds). Events = mapping calls"
	emit "maptrace counted. Loader CPU = utime+stime of the maptrace process (its own, from /proc/PID/stat"
	emit "at exit) minus that of \`maptrace stat -b SIZE -- /bin/true\` (BPF load and teardown), over the"
	emit "generators' run time. The machine has $(nproc) cores: with G = $(nproc) every core runs mapping calls."
	emit ""
	mkdir -p "$DATA/s3"
	for ((r = 1; r <= rounds; r++)); do
		for s in "${sizes[@]}"; do
			run "$DATA/s3/start-$s" "$(cmd "$MT" stat -b "$s" -o /dev/null -- "$TRUE")"
		done
		for g in "${gens[@]}"; do
			p=$DATA/s3/g$g-none
			run "$p" "$(cmd "$B/churn" "$ms" "$g" "$p.last-gen")"
			cat "$p.last-gen" >>"$p.gen"
			for s in "${sizes[@]}"; do
				p=$DATA/s3/g$g-$s
				run "$p" "$(cmd "$MT" stat -b "$s" --json -o "$p.json" -- "$B/churn" "$ms" "$g" "$p.last-gen")"
				cat "$p.last-gen" >>"$p.gen"
				echo "$(json_calls "$p.json") $(json_lost "$p.json")" >>"$p.ev"
			done
		done
	done
	# per-size startup CPU: median of utime+stime
	declare -A scpu
	for s in "${sizes[@]}"; do
		sed -e 's/.*utime_ns=\([0-9-]*\) stime_ns=\([0-9-]*\).*/\1 \2/' "$DATA/s3/start-$s.res" |
			awk '{ print $1 + $2 }' >"$DATA/s3/start-$s.cpu"
		scpu[$s]=$(median "$DATA/s3/start-$s.cpu")
	done
	emit "| generators | buffer | untraced calls/s | traced calls/s | events/s | lost events (median, max) | loader CPU, % of a core | % of a core per M events/s | exit |"
	emit "|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	for g in "${gens[@]}"; do
		local ucps
		ucps=$(awk '{ print $1 * 1e9 / $2 }' "$DATA/s3/g$g-none.gen" >"$DATA/s3/g$g-none.cps"; median "$DATA/s3/g$g-none.cps")
		for s in "${sizes[@]}"; do
			p=$DATA/s3/g$g-$s
			# per round: calls/s, events/s, lost, cpu% (net of startup), cpu% per Mev/s
			paste -d' ' "$p.gen" "$p.ev" <(sed -e 's/.*utime_ns=\([0-9-]*\) stime_ns=\([0-9-]*\).*/\1 \2/' "$p.res") |
				awk -v sc="${scpu[$s]}" '{
					cps = $1 * 1e9 / $2; eps = $3 * 1e9 / $2; cpu = ($5 + $6 - sc) / $2 * 100
					printf "%f %f %d %f %f\n", cps, eps, $4, cpu, cpu / (eps / 1e6) }' >"$p.derived"
			local col cps eps lostm lostx cpu per
			for col in 1 2 3 4 5; do cut -d' ' -f$col "$p.derived" >"$p.c$col"; done
			cps=$(median "$p.c1")
			eps=$(median "$p.c2")
			lostm=$(median "$p.c3")
			lostx=$(stats "$p.c3" | cut -d' ' -f3)
			cpu=$(median "$p.c4")
			per=$(median "$p.c5")
			echo "$g $s $lostm $lostx $per $cpu" >>"$DATA/s3/summary"
			emit "| $g | $s | $(commas "$(fmt '%.0f' "$ucps")") | $(commas "$(fmt '%.0f' "$cps")") | $(commas "$(fmt '%.0f' "$eps")") |" \
				"$(commas "$lostm"), $(commas "$lostx") | $(fmt '%.1f' "$cpu") | $(fmt '%.1f' "$per") | $(statuses "$p") |"
		done
	done
	emit ""
	local l64 l64x p64 cpu64
	read -r _ _ l64 l64x p64 cpu64 <<<"$(awk -v g="$(nproc)" '$1 == g && $2 == "64M"' "$DATA/s3/summary")"
	emit "Targets: zero lost events at the default 64M with every core generating:" \
		"$( [ "${l64x:-1}" = 0 ] && echo met || echo "MISSED (median ${l64:-?}, max ${l64x:-?} lost)")." \
		"Loader under 25% of a core per M events/s: $(awk -v p="${p64:-999}" 'BEGIN { print p < 25 ? "met" : "MISSED" }')" \
		"($(fmt '%.1f' "${p64:-0}")% per M events/s, $(fmt '%.1f' "${cpu64:-0}")% of a core in all, at 64M with $(nproc) generators)."
	emit "(\`maptrace stat\` exits 1 when events were lost; that is the 'exit' column. CPU times come in"
	emit "clock ticks of $((1000 / $(getconf CLK_TCK))) ms: +-$(fmt '%.1f' "$(calc "100 / $(getconf CLK_TCK) / ($ms / 1000)")")% of a core on a $ms ms run.)"
	emit ""
	section_time 3 "$t0"
}

# ------------------------------------------------------------ section 4 ---
# snapbench's output: snapkey LINE KEY -> the value of KEY=...
snapkey() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }
# snapms LINE IFACE: its median in ms, or n/a
snapms() {
	local v
	v=$(snapkey "$1" "${2}_med_ns")
	[[ $v =~ ^[0-9]+$ ]] && fmt '%.2f' "$(calc "$v / 1e6")" || echo n/a
}
# snapcol LINE IFACE: "median (min-max)" in ms, or "n/a (why)"
snapcol() {
	local med min max
	med=$(snapkey "$1" "${2}_med_ns")
	min=$(snapkey "$1" "${2}_min_ns")
	max=$(snapkey "$1" "${2}_max_ns")
	if [[ $med =~ ^[0-9]+$ ]]; then
		awk -v a="$med" -v b="$min" -v c="$max" 'BEGIN { printf "%.2f (%.2f-%.2f)", a / 1e6, b / 1e6, c / 1e6 }'
	else
		echo "n/a ($(snapkey "$1" "${2}_why"))"
	fi
}
# snapsame LINE IFACE: whether IFACE's regions matched the text's
snapsame() {
	local d
	d=$(snapkey "$1" "${2}_diff")
	if [ -z "$d" ]; then echo n/a; elif [ "$d" = 0 ]; then echo yes; else echo "NO ($d differ)"; fi
}
snapname() {
	case $1 in
	parse) echo "text, fresh" ;;
	reuse) echo "text, reused" ;;
	query) echo "ioctl" ;;
	bpf) echo "BPF iter" ;;
	*) echo "n/a" ;;
	esac
}
# verdict NS: the 20 ms target, met or MISSED
verdict() { [[ $1 =~ ^[0-9]+$ ]] && awk -v v="$1" 'BEGIN { print v < 20e6 ? "met" : "MISSED" }' || echo "not measured"; }

section4() {
	local t0=$SECONDS n pid p st explain=0
	local -a sizes=(100 10000 65000)
	declare -A hold
	local maxmap
	maxmap=$(cat /proc/sys/vm/max_map_count)
	emit "## 4. Snapshot and reconcile cost"
	emit ""
	emit "\`holdmaps N\` maps N one-page regions of alternating protection (N vmas, plus its own ~20) and waits."
	emit "\`cat\`: \`hyperfine -N --warmup 3 --runs 30 'cat /proc/PID/maps'\` (fork and exec included). The next five"
	emit "columns are \`bench/tools/snapbench PID 30\`: 30 snapshots in-process through each interface, with"
	emit "maptrace's own code. **read**: the text of /proc/PID/maps alone (the kernel generating it: the floor of"
	emit "any text parser). **text, fresh**: \`mt_maps_read_pid()\` (user/proc/procmaps.c: read + parse into regions,"
	emit "new buffers each time). **text, reused**: \`mt_maps_reader_read()\`, the same with the text, regions and"
	emit "names kept between snapshots (no allocation, no page fault). **ioctl**: \`mt_maps_reader_query()\`, the"
	emit "PROCMAP_QUERY ioctl (Linux 6.11+), one call per vma. **BPF iter**: \`mt_tracer_snapshot()\`"
	emit "(user/trace/tracer.c), the task_vma iterator that seeds \`-p\` targets, read and decoded (maptrace's BPF"
	emit "programs loaded once, not timed). Each interface's regions are compared with the text's (start, end,"
	emit "perms, offset, device, inode; [vsyscall] aside, being no vma): **same** says whether all matched."
	emit "verify: \`maptrace verify -p PID -d 1 -i 200\` wall time, $RUNS interleaved rounds (seeding through the"
	emit "task_vma iterator, then a checkpoint every 200 ms: stop, compare with /proc/PID/maps page by page, continue)."
	emit ""
	if "$MT" explain --help >/dev/null 2>&1; then
		explain=1
	fi
	mkdir -p "$DATA/s4"
	for n in "${sizes[@]}"; do
		if ((n + 100 > maxmap)); then
			note "vm.max_map_count is $maxmap: skipping the $n-mapping process"
			continue
		fi
		"$B/holdmaps" "$n" >"$DATA/s4/hold$n.out" 2>>"$LOG" &
		hold[$n]=$!
		wait_file "$DATA/s4/hold$n.out" ready "${hold[$n]}" || die "holdmaps $n did not start (see $LOG)"
	done
	local -a vargs=()
	for n in "${!hold[@]}"; do
		vargs+=("v$n" "$(cmd "$MT" verify -p "${hold[$n]}" -d 1 -i 200)")
		((explain)) && vargs+=("e$n" "$(cmd "$MT" explain -p "${hold[$n]}" --json)")
	done
	interleave s4 "$RUNS" "${vargs[@]}"
	emit "| mappings | maps bytes | cat median ms (min-max) | read median ms (min-max) | text, fresh median ms (min-max) | text, reused median ms (min-max) | ioctl median ms (min-max) | BPF iter median ms (min-max) | fastest | same as text (ioctl, BPF) | verify -d 1 median s (min-max) | verify minus 1 s | checkpoints | explain median s | runs |"
	emit "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---|"
	local snap65=""
	for n in "${sizes[@]}"; do
		[ -n "${hold[$n]:-}" ] || continue
		pid=${hold[$n]}
		local regions snap cat vs ex="n/a (explain not landed)" k best same
		hyperfine -N --warmup 3 --runs 30 --export-json "$DATA/s4/cat$n.json" "cat /proc/$pid/maps" >>"$LOG" 2>&1
		cat=$(jq -r '.results[0] | "\(.median * 1000) \(.min * 1000) \(.max * 1000)"' "$DATA/s4/cat$n.json" |
			awk '{ printf "%.2f (%.2f-%.2f)", $1, $2, $3 }')
		snap=$("$B/snapbench" "$pid" 30 2>>"$LOG")
		echo "$snap" >"$DATA/s4/snap$n"
		[ "$n" = 65000 ] && snap65=$snap
		regions=$(snapkey "$snap" regions)
		local -a cols=()
		for k in read parse reuse query bpf; do
			cols+=("$(snapcol "$snap" "$k")")
		done
		# the fastest complete snapshot (read alone parses nothing)
		best=$(for k in parse reuse query bpf; do echo "$k $(snapkey "$snap" "${k}_med_ns")"; done |
			awk '$2 ~ /^[0-9]+$/' | sort -k2,2n | head -1 | cut -d' ' -f1)
		same="$(snapsame "$snap" query), $(snapsame "$snap" bpf)"
		grep -o '^verify: [0-9]* checkpoints' "$DATA/s4/v$n.outs" | cut -d' ' -f2 >"$DATA/s4/v$n.cp" || true
		read -r -a st <<<"$(stats "$DATA/s4/v$n.wall")"
		vs="$(secs "${st[0]}") ($(secs "${st[1]}")-$(secs "${st[2]}"))"
		if ((explain)); then
			ex="$(secs "$(median "$DATA/s4/e$n.wall")") ($(statuses "$DATA/s4/e$n"))"
		fi
		emit "| $(commas "$regions") | $(commas "$(snapkey "$snap" bytes)") | $cat | ${cols[0]} | ${cols[1]} | ${cols[2]} | ${cols[3]} | ${cols[4]} |" \
			"$(snapname "$best") | $same | $vs | $(secs "$(calc "${st[0]} - 1e9")") | $(median "$DATA/s4/v$n.cp") | $ex | verify $(statuses "$DATA/s4/v$n") |"
	done
	for n in "${!hold[@]}"; do
		kill "${hold[$n]}"
		wait "${hold[$n]}" 2>/dev/null || true
	done
	emit ""
	if [ -n "$snap65" ]; then
		local k v best="" bestv=""
		for k in parse reuse query bpf; do
			v=$(snapkey "$snap65" "${k}_med_ns")
			[[ $v =~ ^[0-9]+$ ]] || continue
			if [ -z "$bestv" ] || ((v < bestv)); then
				best=$k
				bestv=$v
			fi
		done
		emit "Target: a 65,000-mapping snapshot (read + parse) in under 20 ms."
		emit "Text parsing: $(verdict "$(snapkey "$snap65" reuse_med_ns)") with buffers reused ($(snapms "$snap65" reuse) ms median)," \
			"$(verdict "$(snapkey "$snap65" parse_med_ns)") with fresh buffers ($(snapms "$snap65" parse) ms);" \
			"the kernel's generation of the text alone takes $(snapms "$snap65" read) ms."
		emit "Best snapshot path: $(snapname "$best"), $(verdict "$bestv") ($(snapms "$snap65" "$best") ms median;" \
			"ioctl $(snapms "$snap65" query) ms, BPF iterator $(snapms "$snap65" bpf) ms)."
	fi
	emit "verify's wall time includes maptrace's startup (table 1.0), seeding the shadow, the 1 s duration"
	emit "and its checkpoints (median count in the table; each one stops the process and compares)."
	emit ""
	section_time 4 "$t0"
}

# ------------------------------------------------------------ section 5 ---
section5() {
	local t0=$SECONDS procs=1000 maps=1000 dur=3 fh p v st
	emit "## 5. Tracer memory"
	emit ""
	emit "\`maptrace stat -a -d $dur -o /dev/null\` on the idle machine, then while \`forkhold $procs $maps\` keeps"
	emit "$procs processes with $maps mappings each ($procs x $maps = $(commas $((procs * maps))) vmas to seed)."
	emit "Peak RSS = VmHWM of the maptrace process; RssAnon/RssFile/RssShmem are the highest of samples"
	emit "every 50 ms. The ring buffer is a file mapping whose data pages are mapped twice, so RssFile counts"
	emit "it twice (64M buffer: ~128 MiB). One run each."
	emit ""
	local umax
	umax=$(ulimit -u)
	if [ "$umax" != unlimited ] && ((umax < procs + 100)); then
		emit "skipped: ulimit -u is $umax, $procs processes need more"
		emit ""
		return
	fi
	mkdir -p "$DATA/s5"
	run "$DATA/s5/idle" "$(cmd "$MT" stat -a -d "$dur" -o /dev/null)" -s 50
	"$B/forkhold" "$procs" "$maps" >"$DATA/s5/forkhold.out" 2>>"$LOG" &
	fh=$!
	wait_file "$DATA/s5/forkhold.out" ready "$fh" || die "forkhold $procs $maps did not get ready (see $LOG)"
	run "$DATA/s5/held" "$(cmd "$MT" stat -a -d "$dur" -o /dev/null)" -s 50
	kill -TERM "$fh"
	wait "$fh" || true
	emit "| situation | wall s | VmHWM MiB | RssAnon MiB | RssFile MiB | RssShmem MiB | CPU s (user+sys) | exit |"
	emit "|---|---:|---:|---:|---:|---:|---:|---|"
	for v in idle held; do
		p=$DATA/s5/$v
		local line kv
		declare -A f=()
		line=$(tail -1 "$p.res")
		for kv in $line; do f[${kv%%=*}]=${kv#*=}; done
		local what="idle machine"
		[ $v = held ] && what="$procs processes x $maps mappings"
		emit "| $what | $(secs "${f[wall_ns]}") | $(fmt '%.1f' "$(calc "${f[hwm_kb]} / 1024")") |" \
			"$(fmt '%.1f' "$(calc "${f[anon_kb]} / 1024")") | $(fmt '%.1f' "$(calc "${f[file_kb]} / 1024")") |" \
			"$(fmt '%.1f' "$(calc "${f[shmem_kb]} / 1024")") |" \
			"$(fmt '%.2f' "$(calc "(${f[utime_ns]} + ${f[stime_ns]}) / 1e9")") | ${f[status]} |"
		if [ $v = held ]; then
			emit ""
			emit "Anonymous memory per seeded mapping: $(fmt '%.0f' "$(calc "(${f[anon_kb]} - $(sed 's/.*anon_kb=\([0-9]*\).*/\1/' "$DATA/s5/idle.res")) * 1024 / ($procs * $maps)")") bytes" \
				"(RssAnon difference over $(commas $((procs * maps))) mappings)."
		fi
	done
	emit ""
	peak_rss_per_command
	section_time 5 "$t0"
}

# lost_in PREFIX: events maptrace said it lost in the runs under PREFIX (0 if none)
lost_in() {
	local n
	n=$(sed -n 's/^maptrace: \([0-9]*\) events lost.*/\1/p' "$1.outs" | head -n 1)
	echo "${n:-0}"
}

# Table 5.1: each tracer's peak RSS over the same workload, one run each
# with /proc sampled every 20 ms (not in section 1's timed runs: sampling
# costs CPU), and maptrace's commands with the ring buffer a 512 MiB board
# gets by default (--buffer 8M) as well as this machine's default.
peak_rss_per_command() {
	local n=200000 wl t p buf label
	local -a rows=()
	wl=$(cmd "$B/mmap_loop" "$n")
	mkdir -p "$DATA/s5rss"
	emit "### 5.1 Peak RSS per command"
	emit ""
	emit "Each tracer over \`mmap_loop $n\` ($n rounds of mmap, mprotect, munmap), one run each; VmHWM of the tracer"
	emit "process, sampled every 20 ms. maptrace's default ring buffer here is $("$MT" features --json 2>/dev/null |
		jq -r '.ringbuf_bytes.one_target / 1048576 // "?"') MiB (\`maptrace features\`); a 512 MiB board gets 8 MiB."
	emit ""
	emit "| command | buffer | peak RSS MiB | lost events | exit |"
	emit "|---|---|---:|---:|---|"
	for t in stat trace verify; do
		for buf in default 8M; do
			label=$t-$buf
			p=$DATA/s5rss/$label
			if [ $buf = default ]; then
				run "$p" "$(traced "${T_PREFIX[$t]}" "$wl")" -s 20
			else
				run "$p" "$(traced "$(cmd "$MT" "$t" -b 8M "${T_PREFIX[$t]#"$MT|$t|"}")" "$wl")" -s 20
			fi
			emit "| ${T_DESC[$t]} | $buf | $(fmt '%.1f' "$(calc "$(sed 's/.*hwm_kb=\([0-9]*\).*/\1/' "$p.res") / 1024")") |" \
				"$(lost_in "$p") | $(statuses "$p") |"
		done
	done
	for t in bt_count bt_print strace perf; do
		want_tracer "$t" || continue
		p=$DATA/s5rss/$t
		run "$p" "$(traced "${T_PREFIX[$t]}" "$wl")" -s 20
		emit "| ${T_DESC[$t]} | | $(fmt '%.1f' "$(calc "$(sed 's/.*hwm_kb=\([0-9]*\).*/\1/' "$p.res") / 1024")") | | $(statuses "$p") |"
	done
	emit ""
}

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
