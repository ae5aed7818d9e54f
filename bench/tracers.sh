# SPDX-License-Identifier: GPL-2.0
# bench/tracers.sh - the tracers the sections compare (sourced by
# bench/run.sh after lib.sh): their commands, table rows and startup costs.
# Startup and teardown: each tracer around /bin/true. "fixed" = its median
# minus the median of /bin/true alone. Used by sections 1 and 2.
TRUE=/bin/true
MT_STAT=$(cmd "$MT" stat -o /dev/null --)
MT_TRACE=$(cmd "$MT" trace -o /dev/null --)
MT_VERIFY=$(cmd "$MT" verify -q -i 0 --)
MT_SERVE=$(cmd "$ROOT/bench/tools/under_serve.sh" "$MT")
STRACE=$(cmd strace -f -qq -o /dev/null -e trace=mmap,munmap,mprotect,brk,mremap --)
# perf 6.1 has no -q for trace (its summary goes to -o anyway)
PERF=$(cmd perf trace -o /dev/null -e mmap,munmap,mprotect,brk,mremap --)
BT_COUNT="bpftrace|-o|/dev/null|$ROOT/bench/bpftrace/count.bt|-c"
BT_PRINT="bpftrace|-o|/dev/null|$ROOT/bench/bpftrace/print.bt|-c"

# tracer table rows: label, description, command prefix, group
TRACERS=(stat trace verify serve bt_count bt_print strace perf)
declare -A T_DESC=(
	[untraced]="untraced"
	[stat]="\`maptrace stat -o /dev/null\`"
	[trace]="\`maptrace trace -o /dev/null\`"
	[verify]="\`maptrace verify -q -i 0\` (exit checkpoint only)"
	[serve]="\`maptrace serve --bpf-stats\` running, machine-wide (bench/tools/under_serve.sh; own CPU: the wrapper shell's, not serve's)"
	[bt_count]="bpftrace, count in kernel (bench/bpftrace/count.bt)"
	[bt_print]="bpftrace, printf each call (bench/bpftrace/print.bt)"
	[strace]="\`strace -f -qq -o /dev/null -e trace=mmap,munmap,mprotect,brk,mremap\`"
	[perf]="\`perf trace -o /dev/null -e mmap,munmap,mprotect,brk,mremap\`"
)
declare -A T_PREFIX=([stat]=$MT_STAT [trace]=$MT_TRACE [verify]=$MT_VERIFY [serve]=$MT_SERVE
	[strace]=$STRACE [perf]=$PERF [bt_count]=$BT_COUNT [bt_print]=$BT_PRINT)
# strace and perf trace are 5-30x slower: they run a tenth of the iterations
# (against an untraced run of that size), so that the suite fits in 15 min
declare -A T_GROUP=([stat]=full [trace]=full [verify]=full [serve]=full [bt_count]=full [bt_print]=full
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

