# SPDX-License-Identifier: GPL-2.0
# bench/sections/1.sh - section 1: traced-program overhead of maptrace, strace, perf trace and bpftrace.
# Sourced by bench/run.sh: defines section1.
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

