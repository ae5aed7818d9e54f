#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# serve.sh - `maptrace serve` (real BPF, root): the exposition against the
# exact figures `stat --json` gives for the same workloads.
#
#   serve-up          serve listens on loopback (port 0: any), answers / and
#                     /metrics, 404 elsewhere
#   serve-cgroup-W    W runs in its own cgroup (three cgroups, three
#                     workloads with fixed call counts: mmap_ops, heap_brk,
#                     failed_calls): the series {cgroup=its cgroup, comm=W}
#                     count exactly the calls by kind and result, and the
#                     bytes mapped, unmapped and churned (serve's churn
#                     window longer than the run), that `stat --json -- W`
#                     counts; its failures by errno add up to its failed
#                     calls of each kind
#   serve-holdings    a held thread_pool in its own cgroup: its series'
#                     gauges say what /proc says it holds: virtual bytes =
#                     VmSize, resident bytes = VmRSS, mappings = the lines
#                     of its maps, one process; and so does its own series
#                     (--per-pid), whose calls include all of the series'
#                     (and those its shell made before the exec)
#   serve-per-pid     a second serve with --per-pid 1 shows one process's
#                     own series, no more, while several live
#   serve-bpf-time    with --bpf-stats, the BPF programs' CPU time and runs,
#                     per program, grow as calls are made
#   serve-nobtf       as on a board without kernel BTF (MAPTRACE_KERNEL_BTF=none
#                     and the reduced BTF bpftool cuts for maptrace's objects): serve keeps no shadows,
#                     says so, still counts mmap_ops's calls and bytes as stat
#                     does, and leaves out what it cannot measure (anonymous
#                     bytes, churn) rather than export zeros
#   serve-openmetrics the same scrape as OpenMetrics: counter families
#                     without _total, "# EOF" last
#   serve-promtool    `promtool check metrics` accepts the exposition
#                     (skipped without promtool: make deps installs it)
#   serve-prometheus  a real Prometheus server (Debian's prometheus) on
#                     loopback scrapes serve every second while the two
#                     workloads run again in their cgroups: asked through its
#                     HTTP query API after a scrape that followed them, the
#                     sum of each cgroup's series by kind and result equals
#                     what stat counts for two runs
#   serve-folded      --max-series 1: a second pair folds into "other",
#                     counted in maptrace_series_folded_total
#   serve-soak        process churn, time-compressed: 20,000 short processes,
#                     each a new command name, under --max-series 50: the
#                     series stay at 51 (other included), the processes
#                     followed come back to where they were, and the loader's
#                     resident memory grows by under 4 MiB from the middle of
#                     the run (its ring buffer written through by then) to
#                     its end
#   serve-rules       docs/prometheus/maptrace.rules.yml passes `promtool
#                     check rules` and its unit tests (maptrace.rules.test.yml:
#                     the churn alert fires for a service mapping and
#                     unmapping alike, not for one keeping what it maps)
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
spid=
ppid_=
hpid=
cgroups=()
cleanup() {
	[ -n "$spid" ] && kill -INT "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	[ -n "$ppid_" ] && kill "$ppid_" 2>/dev/null && wait "$ppid_" 2>/dev/null
	[ -n "$hpid" ] && kill "$hpid" 2>/dev/null
	for cg in "${cgroups[@]}"; do rmdir "$cg" 2>/dev/null; done
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
WLS=(mmap_ops heap_brk failed_calls)
ALL=(serve-up serve-holdings serve-per-pid serve-bpf-time serve-nobtf serve-openmetrics serve-promtool
	serve-prometheus serve-folded serve-soak serve-rules)
for w in "${WLS[@]}"; do ALL+=("serve-cgroup-$w"); done
skip_all_unless_bpf serve "${ALL[@]}"

# Start serve with these options; its port in $port, or status 1.
start_serve() {
	local i
	$MT serve --listen 127.0.0.1:0 "$@" 2>"$tmp/serve.err" &
	spid=$!
	for ((i = 0; i < 300; i++)); do
		port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$tmp/serve.err")
		[ -n "$port" ] && return 0
		kill -0 "$spid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

stop_serve() { kill -INT "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; spid=; }

scrape() { curl -sf "$@" "http://127.0.0.1:$port/metrics"; }

# The cgroup v2 hierarchy (unified, or mounted at /sys/fs/cgroup).
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)

# every live process's own series; churn counted over any run a test makes
if ! start_serve --per-pid 10000 --churn-window 3600 --bpf-stats; then
	for t in "${ALL[@]}"; do fail "$t" "serve did not start: $(head -c 300 "$tmp/serve.err")"; done
	finish serve
	exit
fi

# --- the two pages, and nothing else
code() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$1"; }
if [ "$(code /)" = 200 ] && [ "$(code /metrics)" = 200 ] && [ "$(code /nothing)" = 404 ] &&
	scrape | grep -q '^maptrace_events_total '; then
	pass "serve-up (port $port)"
else
	fail serve-up "/ $(code /), /metrics $(code /metrics), /nothing $(code /nothing)"
fi

# --- two workloads in two cgroups, against stat's figures
metric() { # SCRAPE NAME CGROUP COMM [KIND RESULT]: the sample's value, 0 when absent
	local sel="cgroup=\"$3\",comm=\"$4\""
	[ $# -gt 4 ] && sel+=",kind=\"$5\",result=\"$6\""
	awk -v want="$2{$sel}" '$1 == want { print $2; found = 1 } END { if (!found) print 0 }' "$1"
}
# run_in CGROUP W: the shell joins the cgroup, then becomes workload W
run_in() {
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$1" "$W/$2" "$tmp/$2" >/dev/null 2>&1
}
for w in "${WLS[@]}"; do
	name=serve-cgroup-$w
	if [ -z "$cg2" ]; then
		fail "$name" "no cgroup v2 hierarchy in /proc/mounts"
		continue
	fi
	cg=$cg2/maptrace-serve-$w-$$
	mkdir -p "$cg" "$tmp/$w" && cgroups+=("$cg")
	run_in "$cg" "$w"
	$MT stat --json -o "$tmp/$w.json" -- "$W/$w" "$tmp/$w" >/dev/null 2>"$tmp/stat.err"
	sleep 0.3   # (the loop reads what is in the ring buffer at least every 100 ms)
	scrape >"$tmp/m.txt"
	label=${cg#"$cg2"}
	diffs=""
	for k in $(jq -r '.total.calls | keys[]' "$tmp/$w.json"); do
		want_f=$(jq ".total.failed[\"$k\"]" "$tmp/$w.json")
		want_ok=$(( $(jq ".total.calls[\"$k\"]" "$tmp/$w.json") - want_f ))
		got_ok=$(metric "$tmp/m.txt" maptrace_mapping_calls_total "$label" "$w" "$k" ok)
		got_f=$(metric "$tmp/m.txt" maptrace_mapping_calls_total "$label" "$w" "$k" failed)
		[ "$got_ok" = "$want_ok" ] || diffs+=" $k ok: $got_ok, stat $want_ok;"
		[ "$got_f" = "$want_f" ] || diffs+=" $k failed: $got_f, stat $want_f;"
	done
	for b in mapped unmapped churn; do
		key=bytes_$b
		[ "$b" = churn ] && key=churn_bytes
		want=$(jq ".total.$key" "$tmp/$w.json")
		got=$(metric "$tmp/m.txt" "maptrace_${b}_bytes_total" "$label" "$w")
		[ "$got" = "$want" ] || diffs+=" bytes $b: $got, stat $want;"
	done
	# failures by errno add up to the failed calls, kind by kind
	for k in $(jq -r '.total.failed | to_entries[] | select(.value > 0) | .key' "$tmp/$w.json"); do
		want=$(jq ".total.failed[\"$k\"]" "$tmp/$w.json")
		got=$(awk -v p="maptrace_mapping_failures_total{cgroup=\"$label\",comm=\"$w\",kind=\"$k\"," \
			'index($1, p) == 1 { n += $2 } END { print n + 0 }' "$tmp/m.txt")
		[ "$got" = "$want" ] || diffs+=" $k failures by errno: $got, stat failed $want;"
	done
	calls=$(jq '[.total.calls[]] | add' "$tmp/$w.json")
	if [ -z "$diffs" ] && [ "$calls" -gt 0 ]; then
		pass "$name ($calls calls and the bytes of cgroup $label as stat counts them)"
	else
		fail "$name" "${diffs:-no calls in the figures of stat} $(head -c 200 "$tmp/stat.err")"
	fi
done

# --- what a live process holds, as /proc says
if [ -z "$cg2" ]; then
	fail serve-holdings "no cgroup v2 hierarchy in /proc/mounts"
else
	cg=$cg2/maptrace-serve-hold-$$
	mkdir -p "$cg" && cgroups+=("$cg")
	mkfifo "$tmp/hold-in"
	sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2"' sh "$cg" "$W/thread_pool" <"$tmp/hold-in" >"$tmp/hold-ready" &
	hpid=$!
	exec 8>"$tmp/hold-in"
	for _ in $(seq 50); do grep -q ready "$tmp/hold-ready" 2>/dev/null && break; sleep 0.1; done
	sleep 0.3
	scrape >"$tmp/hold.txt"
	label=${cg#"$cg2"}
	want_vm=$(( $(awk '/^VmSize:/ { print $2 }' "/proc/$hpid/status") * 1024 ))
	want_rss=$(( $(awk '/^VmRSS:/ { print $2 }' "/proc/$hpid/status") * 1024 ))
	want_maps=$(wc -l <"/proc/$hpid/maps")
	grep -q '\[vsyscall\]$' "/proc/$hpid/maps" && want_maps=$((want_maps - 1))
	got_vm=$(metric "$tmp/hold.txt" maptrace_virtual_bytes "$label" thread_pool)
	got_rss=$(metric "$tmp/hold.txt" maptrace_resident_bytes "$label" thread_pool)
	got_maps=$(metric "$tmp/hold.txt" maptrace_mappings "$label" thread_pool)
	got_procs=$(metric "$tmp/hold.txt" maptrace_processes "$label" thread_pool)
	# its own series: the same holdings, and the calls of its series
	own() { awk -v p="maptrace_process_$1{pid=\"$hpid\",cgroup=\"$label\",comm=\"thread_pool\"" \
		'index($1, p) == 1 { n += $2 } END { print n + 0 }' "$tmp/hold.txt"; }
	sum() { awk -v p="maptrace_$1{cgroup=\"$label\",comm=\"thread_pool\"" \
		'index($1, p) == 1 { n += $2 } END { print n + 0 }' "$tmp/hold.txt"; }
	own_vm=$(own virtual_bytes) own_maps=$(own mappings)
	own_calls=$(own mapping_calls_total) calls=$(sum mapping_calls_total)
	exec 8>&-
	wait "$hpid" 2>/dev/null
	hpid=
	line="virtual $got_vm (VmSize $want_vm), resident $got_rss (VmRSS $want_rss), mappings $got_maps (maps $want_maps), processes $got_procs; own series: virtual $own_vm, mappings $own_maps, calls $own_calls of which the series' $calls"
	if [ "$got_vm" = "$want_vm" ] && [ "$got_rss" = "$want_rss" ] && [ "$got_vm" -gt 0 ] &&
		[ "$got_maps" = "$want_maps" ] && [ "$got_procs" = 1 ] &&
		[ "$own_vm" = "$want_vm" ] && [ "$own_maps" = "$want_maps" ] &&
		[ "$calls" -gt 0 ] && [ "$own_calls" -ge "$calls" ]; then
		pass "serve-holdings ($line)"
	else
		fail serve-holdings "$line"
	fi
fi

# --- the BPF programs' own CPU time, per program, growing with the calls
bpf_sums() { scrape | awk '$1 ~ /^maptrace_bpf_cpu_seconds_total\{/ { t += $2 } $1 ~ /^maptrace_bpf_runs_total\{/ { r += $2 } END { printf "%.9f %d\n", t, r }'; }
read -r t0 r0 < <(bpf_sums)
"$W/mmap_ops" "$tmp/mmap_ops" >/dev/null 2>&1
sleep 0.3
read -r t1 r1 < <(bpf_sums)
line="CPU ${t0:-none} s, $r0 runs before mmap_ops; ${t1:-none} s, $r1 runs after"
if grep -q 'BPF CPU time not measured' "$tmp/serve.err"; then
	fail serve-bpf-time "$(grep -m1 'not measured' "$tmp/serve.err")"
elif [ -n "$r1" ] && [ "$r1" -gt "${r0:-0}" ] && awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b > a) }'; then
	pass "serve-bpf-time ($line)"
else
	fail serve-bpf-time "$line"
fi

# --- OpenMetrics when asked for
scrape -H 'Accept: application/openmetrics-text; version=1.0.0' >"$tmp/om.txt"
if grep -q '^# TYPE maptrace_mapping_calls counter$' "$tmp/om.txt" &&
	grep -q '^maptrace_mapping_calls_total{' "$tmp/om.txt" && [ "$(tail -n 1 "$tmp/om.txt")" = "# EOF" ]; then
	pass serve-openmetrics
else
	fail serve-openmetrics "$(grep -m2 '^# TYPE' "$tmp/om.txt") ... $(tail -n 1 "$tmp/om.txt")"
fi

# --- promtool's own check of the exposition
if ! command -v promtool >/dev/null; then
	skip serve-promtool "no promtool (make deps installs prometheus)"
elif out=$(scrape | promtool check metrics 2>&1); then
	pass serve-promtool
else
	fail serve-promtool "$(echo "$out" | head -n 3 | tr '\n' ' ')"
fi

# --- a real Prometheus scraping serve: the workloads run a second time
#     in their cgroups, then the server is asked what it stored
prom_query() { # QUERY: the result vector, as "labels value" lines
	curl -sfG "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[] | "\(.metric.kind // "")/\(.metric.result // "") \(.value[1])"'
}
if ! command -v prometheus >/dev/null; then
	skip serve-prometheus "no prometheus (make deps installs it)"
elif ! (for w in "${WLS[@]}"; do [ -d "$cg2/maptrace-serve-$w-$$" ] || exit 1; done); then
	fail serve-prometheus "the workloads' cgroups were not made"
else
	pport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	printf 'global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: maptrace\n    static_configs:\n      - targets: ["127.0.0.1:%s"]\n' \
		"$port" >"$tmp/prometheus.yml"
	prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
		--web.listen-address="127.0.0.1:$pport" >"$tmp/prometheus.log" 2>&1 &
	ppid_=$!
	for w in "${WLS[@]}"; do run_in "$cg2/maptrace-serve-$w-$$" "$w"; done
	done_at=$(date +%s.%N)
	# wait for a scrape after the runs (Prometheus's timestamp of a sample)
	for ((i = 0; i < 200; i++)); do
		at=$(prom_query 'timestamp(maptrace_events_total)' 2>/dev/null | awk '{ print $2 }')
		[ -n "$at" ] && awk -v a="$at" -v d="$done_at" 'BEGIN { exit !(a > d + 0.2) }' && break
		sleep 0.2
	done
	diffs=""
	for w in "${WLS[@]}"; do
		label=/maptrace-serve-$w-$$
		prom_query "sum by (kind, result) (maptrace_mapping_calls_total{cgroup=\"$label\",comm=\"$w\"})" |
			sort >"$tmp/prom-$w.txt"
		jq -r '.total as $t | $t.calls | to_entries[] | select(.value > 0)
			| ("\(.key)/ok \(2 * (.value - $t.failed[.key]))", "\(.key)/failed \(2 * $t.failed[.key])")' \
			"$tmp/$w.json" | awk '$2 != 0' | sort >"$tmp/want-$w.txt"
		[ -s "$tmp/want-$w.txt" ] || diffs+=" $w: stat counted no call;"
		cmp -s "$tmp/prom-$w.txt" "$tmp/want-$w.txt" ||
			diffs+=" $w: Prometheus '$(tr '\n' ' ' <"$tmp/prom-$w.txt")', stat x2 '$(tr '\n' ' ' <"$tmp/want-$w.txt")';"
	done
	if [ -z "$at" ]; then
		fail serve-prometheus "Prometheus stored no scrape: $(tail -n 3 "$tmp/prometheus.log" | tr '\n' ' ')"
	elif [ -z "$diffs" ]; then
		pass "serve-prometheus (per kind and result, both cgroups, as queried from Prometheus)"
	else
		fail serve-prometheus "$diffs"
	fi
	kill "$ppid_" 2>/dev/null
	wait "$ppid_" 2>/dev/null
	ppid_=
fi
stop_serve

# --- a cap of one series: the next pair is folded into "other"
if ! start_serve --max-series 1 --per-pid 1; then
	fail serve-folded "serve did not start: $(head -c 300 "$tmp/serve.err")"
	fail serve-per-pid "serve did not start"
else
	"$W/heap_brk" >/dev/null 2>&1
	"$W/mmap_ops" "$tmp/mmap_ops" >/dev/null 2>&1
	sleep 0.3
	scrape >"$tmp/cap.txt"
	folded=$(awk '$1 == "maptrace_series_folded_total" { print $2 }' "$tmp/cap.txt")
	series=$(awk '$1 == "maptrace_series" { print $2 }' "$tmp/cap.txt")
	others=$(grep -c '^maptrace_mapping_calls_total{cgroup="other",comm="other"' "$tmp/cap.txt")
	if [ "$series" = 2 ] && [ "${folded:-0}" -gt 0 ] && [ "$others" -gt 0 ]; then
		pass "serve-folded (2 series, other included; $folded lookups folded)"
	else
		fail serve-folded "series $series, folded $folded, other's samples $others"
	fi
	# two held processes, each with calls of its own: one own series shown
	mkfifo "$tmp/two-in"
	"$W/thread_pool" <"$tmp/two-in" >"$tmp/two-a" &
	a=$!
	"$W/thread_pool" <"$tmp/two-in" >"$tmp/two-b" &
	b=$!
	exec 9>"$tmp/two-in"
	for _ in $(seq 50); do grep -q ready "$tmp/two-a" && grep -q ready "$tmp/two-b" && break; sleep 0.1; done
	sleep 0.3
	scrape >"$tmp/pid.txt"
	exec 9>&-
	wait "$a" "$b" 2>/dev/null
	shown=$(sed -n 's/^maptrace_process_mappings{pid="\([0-9]*\)",.*comm="\(.*\)"}.*/\1 (\2)/p' "$tmp/pid.txt")
	if [ "$(echo "$shown" | grep -c .)" = 1 ]; then
		pass "serve-per-pid (only the busiest, pid $shown, shown; thread_pools $a and $b live)"
	else
		fail serve-per-pid "shown: '$(echo $shown)'; thread_pools $a and $b live"
	fi
	stop_serve
fi

# --- without kernel BTF: no shadows, the calls and bytes still exact
# the few KiB of this kernel's BTF maptrace's objects need (as make min-btf)
if ! bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$tmp/min.btf" .output/maptrace*.bpf.o \
	2>"$tmp/btf.err"; then
	fail serve-nobtf "bpftool gen min_core_btf: $(head -c 200 "$tmp/btf.err")"
elif ! MAPTRACE_KERNEL_BTF=none start_serve --btf "$tmp/min.btf"; then
	fail serve-nobtf "serve did not start: $(head -c 300 "$tmp/serve.err")"
else
	"$W/mmap_ops" "$tmp/mmap_ops" >/dev/null 2>&1
	sleep 0.3
	scrape >"$tmp/nobtf.txt"
	stop_serve
	sum() { awk -v p="$1{" -v c='comm="mmap_ops"' 'index($1, p) == 1 && index($1, c) { n += $2 }
		END { print n + 0 }' "$tmp/nobtf.txt"; }
	got="calls $(sum maptrace_mapping_calls_total), mapped $(sum maptrace_mapped_bytes_total), unmapped $(sum maptrace_unmapped_bytes_total)"
	want="calls $(jq '[.total.calls[]] | add' "$tmp/mmap_ops.json"), mapped $(jq .total.bytes_mapped "$tmp/mmap_ops.json"), unmapped $(jq .total.bytes_unmapped "$tmp/mmap_ops.json")"
	absent=$(grep -c -e '^maptrace_anonymous_bytes' -e '^maptrace_churn_bytes' "$tmp/nobtf.txt")
	if ! grep -q 'keeps no shadows' "$tmp/serve.err"; then
		fail serve-nobtf "serve did not say it keeps no shadows: $(head -c 200 "$tmp/serve.err")"
	elif [ "$got" = "$want" ] && [ "$absent" = 0 ] && grep -q '^maptrace_virtual_bytes{' "$tmp/nobtf.txt"; then
		pass "serve-nobtf ($got, as stat; anonymous bytes and churn left out)"
	else
		fail serve-nobtf "$got; stat $want; $absent anonymous or churn samples"
	fi
fi

# --- process churn: bounded series, flat memory
value() { scrape | awk -v m="$1" '$1 == m { print $2 }'; }
if ! start_serve --max-series 50; then
	fail serve-soak "serve did not start: $(head -c 300 "$tmp/serve.err")"
else
	before=$(value maptrace_followed_processes)
	"$W/spawn_many" 10000 16 a >/dev/null 2>"$tmp/spawn.err"
	sleep 0.5
	mid=$(value maptrace_loader_resident_bytes)
	"$W/spawn_many" 10000 16 b >/dev/null 2>>"$tmp/spawn.err"
	sleep 0.5
	scrape >"$tmp/soak.txt"
	stop_serve
	series=$(awk '$1 == "maptrace_series" { print $2 }' "$tmp/soak.txt")
	after=$(awk '$1 == "maptrace_followed_processes" { print $2 }' "$tmp/soak.txt")
	end=$(awk '$1 == "maptrace_loader_resident_bytes" { print $2 }' "$tmp/soak.txt")
	lost=$(awk '$1 == "maptrace_lost_events_total" { print $2 }' "$tmp/soak.txt")
	grown=$(( (${end:-0} - ${mid:-0}) / 1024 ))
	line="series $series, processes $before before and $after after, loader RSS $((${mid:-0} / 1048576)) MiB mid-run, +$grown KiB by the end, $lost events lost"
	if [ "$series" = 51 ] && [ "${after:-999999}" -le $(( ${before:-0} + 2 )) ] && [ "$grown" -lt 4096 ]; then
		pass "serve-soak ($line)"
	else
		fail serve-soak "$line $(head -c 200 "$tmp/spawn.err")"
	fi
fi

# --- the recording and alerting rules shipped for it
if ! command -v promtool >/dev/null; then
	skip serve-rules "no promtool (make deps installs prometheus)"
elif out=$(cd docs/prometheus && promtool check rules maptrace.rules.yml 2>&1 &&
	   promtool test rules maptrace.rules.test.yml 2>&1); then
	pass "serve-rules ($(echo "$out" | grep -m1 -o '[0-9]* rules found'), their unit tests)"
else
	fail serve-rules "$(echo "$out" | grep -v '^$' | head -n 6 | tr '\n' ' ')"
fi

finish serve
