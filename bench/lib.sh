# SPDX-License-Identifier: GPL-2.0
# bench/lib.sh - what every section of the benchmark uses (sourced by
# bench/run.sh): running and timing commands interleaved, statistics,
# formatting, waiting for a tracer, writing the report.
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

