# SPDX-License-Identifier: GPL-2.0
# bench/sections/2.sh - section 2: what a running maptrace costs processes it does not trace.
# Sourced by bench/run.sh: defines section2.
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

