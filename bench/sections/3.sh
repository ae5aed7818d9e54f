# SPDX-License-Identifier: GPL-2.0
# bench/sections/3.sh - section 3: the event throughput ceiling.
# Sourced by bench/run.sh: defines section3.
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

