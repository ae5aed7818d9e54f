# SPDX-License-Identifier: GPL-2.0
# bench/sections/5.sh - section 5: the tracer's memory with 1,000 processes of 1,000 mappings.
# Sourced by bench/run.sh: defines section5.
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

