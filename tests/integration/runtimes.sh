#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# runtimes.sh - explain on language runtimes, checked against the runtimes'
# own accounting rather than our expectations.
#
#   jvm-GC-nmt     a JVM (tests/workloads/java/Hold.java, 64 MiB of arrays)
#                  with -XX:NativeMemoryTracking=detail under collector GC
#                  (g1, parallel, serial): of the bytes NMT (read here
#                  with `jcmd`, not with maptrace's parser) says each
#                  category reserved, at least 95% carry the matching kind
#                  in `explain -p --json`, whose "runtime" names NMT
#   jvm-GC-vminfo  the same JVM as seen without NMT (the JVM's VM.info and
#                  VM.metaspace answer): 95% for the categories they know
#                  (heap, class space, metaspace, CDS, code, thread stacks)
#   jvm-known      the JVM as users run it (G1, no NMT, whose own malloc'd
#                  tracking data is of unknown origin): memory of unknown
#                  origin is under 5% of RSS
#   jvm-no-attach  --no-attach: no runtime kinds, and "runtime" says so
#   malloc-A       a program on malloc A (jemalloc, tcmalloc, mimalloc:
#                  tests/workloads/alloc/hold.c) holding about 124 MiB:
#                  the RSS explain gives kind A is within 10% of what A
#                  says is resident (mimalloc keeps no resident figure:
#                  committed bytes, against its committed), and memory of
#                  unknown origin (anon, large-malloc) is under 5% of RSS
#   go-hold        a Go program (tests/workloads/go/hold.go, 64 MiB of
#                  heap, built without cgo): "runtime" names its Go version,
#                  the RSS of kind go-heap is within 10% of the arena bytes
#                  runtime.MemStats says the runtime holds (HeapSys -
#                  HeapReleased + StackSys), and memory of unknown origin
#                  is under 5% of RSS
#   go-metadata    the same program: go-metadata's RSS is no more than the
#                  metadata the runtime says it mapped
#   node-hold      a Node.js program (tests/workloads/node/hold.js, 50
#                  arrays of 100,000 objects): "runtime" names V8, the RSS
#                  of kinds v8-heap and v8-code is within 10% of the bytes
#                  V8's spaces have committed (v8.getHeapSpaceStatistics()),
#                  and memory of unknown origin is under 5% of RSS
#   node-http      a real program's shape: a node HTTP server on loopback
#                  after 200 requests (tests/workloads/node/http_server.js):
#                  memory of unknown origin is under 5% of RSS
#   python-hold    a CPython program (tests/workloads/python/hold.py, 300
#                  lists of 1,000 tuples) on Debian's python3: "runtime"
#                  names CPython and the arenas it found, the RSS of kind
#                  python-arena is within 10% of the arena bytes obmalloc
#                  has written (sys._debugmallocstats(): its arenas less
#                  unused pools and alignment), and memory of unknown origin
#                  is under 5% of RSS
#
# Needs OpenJDK (make deps installs openjdk-17-jdk-headless), Go
# (golang-go), Node.js (nodejs), python3 and the allocators' -dev packages
# (make workloads builds the programs); no BPF.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
JAVA_SRC=tests/workloads/java/Hold.java
GCS=(g1 parallel serial)
jpid=
cleanup() { [ -n "$jpid" ] && kill "$jpid" 2>/dev/null; rm -rf "$tmp"; }
hpid=
trap cleanup EXIT

ALL=()
for gc in "${GCS[@]}"; do ALL+=("jvm-$gc-nmt" "jvm-$gc-vminfo"); done
ALL+=(jvm-known jvm-no-attach)

# Start a command with its stdin on a fifo (fd 3) and wait for its first
# line in $tmp/prog.out; its pid in $hpid.
start_held() {
	local i
	rm -f "$tmp/in" "$tmp/prog.out"
	mkfifo "$tmp/in"
	"$@" <"$tmp/in" >"$tmp/prog.out" &
	hpid=$!
	exec 3>"$tmp/in"
	for ((i = 0; i < 400; i++)); do
		[ -s "$tmp/prog.out" ] && return 0
		sleep 0.05
	done
	return 1
}

stop_held() { exec 3>&-; wait "$hpid"; }

# explain_held TEST JSON COMMAND...: start COMMAND held, `explain -p` it
# into JSON, release it; when it prints nothing, TEST fails (status 1).
explain_held() {
	local name=$1 json=$2
	shift 2
	if ! start_held "$@"; then
		stop_held
		fail "$name" "$1 printed nothing"
		return 1
	fi
	$MT explain -p "$hpid" --json >"$json" 2>"$tmp/err"
	stop_held
}

# compare TEST KINDS WHAT EXPECTED JSON [RUNTIME-RE [FIELD]]: the FIELD
# (default rss) of KINDS (a jq filter on .kind) in JSON is within 10% of
# EXPECTED (what the runtime says, described by WHAT), memory of unknown
# origin is under 5% of RSS, and "runtime" matches RUNTIME-RE (if given).
compare() {
	local name=$1 kinds=$2 what=$3 want=$4 json=$5 re=${6:-} field=${7:-rss}
	local got unknown total verdict ok diff share line
	got=$(jq --arg f "$field" "[.summary[] | select($kinds) | .[\$f]] | add // 0" "$json")
	unknown=$(unknown_rss "$json")
	total=$(jq '.total.rss' "$json")
	verdict=$(awk -v g="$got" -v w="${want:-0}" -v u="$unknown" -v t="$total" 'BEGIN {
		d = w ? (g - w) / w * 100 : 100; if (d < 0) d = -d
		printf "%s %.1f %.1f", (w > 0 && d <= 10 && u <= t * 0.05) ? "ok" : "bad", d, t ? u / t * 100 : 100 }')
	read -r ok diff share <<<"$verdict"
	line="$field $got, $what $want (${diff}% apart); origin unknown ${share}% of RSS"
	if [ -n "$re" ] && ! jq -e --arg re "$re" '(.runtime // "") | test($re)' "$json" >/dev/null; then
		fail "$name" "runtime: $(jq -c .runtime "$json" 2>&1) $(head -c 200 "$tmp/err")"
	elif [ "$ok" = ok ]; then
		pass "$name ($line)"
	else
		fail "$name" "$line $(head -c 200 "$tmp/err")"
	fi
}

# --- programs on another malloc (run whether or not java is here)
run_malloc_tests() {
	local a bin what says
	for a in jemalloc tcmalloc mimalloc; do
		bin=$W/alloc_hold_$a
		if [ ! -x "$bin" ]; then
			fail "malloc-$a" "$bin was not built (make workloads)"
			continue
		fi
		explain_held "malloc-$a" "$tmp/alloc.json" "$bin" || continue
		read -r what says <"$tmp/prog.out"
		# mimalloc keeps no resident figure: its committed bytes
		compare "malloc-$a" ".kind == \"$a\"" "$a says $what" "$says" "$tmp/alloc.json" "" \
			"$([ "$what" = committed ] && echo committed || echo rss)"
	done
}

# --- a CPython program (run whether or not java is here)
run_python_tests() {
	local arenas touched
	if [ ! -x /usr/bin/python3 ]; then
		fail python-hold "no /usr/bin/python3 (make deps installs python3)"
		return
	fi
	explain_held python-hold "$tmp/python.json" /usr/bin/python3 tests/workloads/python/hold.py || return
	read -r _ arenas _ touched <"$tmp/prog.out"
	compare python-hold '.kind == "python-arena"' "obmalloc's $arenas arenas written" "$touched" \
		"$tmp/python.json" "^CPython: $arenas obmalloc arenas"
}

# --- a Go program (run whether or not java is here)
run_go_tests() {
	local bin=$W/go_hold heap meta got
	if [ ! -x "$bin" ]; then
		fail go-hold "$bin was not built (make deps installs golang-go; make workloads)"
		return
	fi
	explain_held go-hold "$tmp/go.json" "$bin" || return
	read -r _ heap _ meta <"$tmp/prog.out"
	compare go-hold '.kind == "go-heap"' "runtime.MemStats heap" "$heap" "$tmp/go.json" "^Go go1"
	# the runtime says what it mapped for metadata, not what is resident
	got=$(jq '[.summary[] | select(.kind == "go-metadata") | .rss] | add // 0' "$tmp/go.json")
	if [ "${meta:-0}" -gt 0 ] && [ "$got" -le "$meta" ]; then
		pass "go-metadata (rss $got of $meta the runtime mapped for metadata)"
	else
		fail go-metadata "rss $got, more than the $meta the runtime says it mapped for metadata"
	fi
}

# --- a Node.js program (run whether or not java is here)
run_node_tests() {
	local heap
	if ! command -v node >/dev/null; then
		fail node-hold "no node (make deps installs nodejs)"
		return
	fi
	explain_held node-hold "$tmp/node.json" node tests/workloads/node/hold.js || return
	read -r _ heap <"$tmp/prog.out"
	compare node-hold '.kind == "v8-heap" or .kind == "v8-code"' "V8's spaces committed" "$heap" \
		"$tmp/node.json" "^V8"
	explain_held node-http "$tmp/http.json" node tests/workloads/node/http_server.js || return
	known_share node-http "$tmp/http.json" "^V8"
}

if ! command -v java >/dev/null || ! command -v jcmd >/dev/null; then
	for t in "${ALL[@]}"; do skip "$t" "no java or jcmd (make deps installs openjdk-17-jdk-headless)"; done
	run_malloc_tests
	run_go_tests
	run_node_tests
	run_python_tests
	finish runtimes
	exit
fi

# Start the JVM with these options (and NMT, unless the first is
# --no-nmt); wait until it holds its arrays.
start_jvm() {
	local i nmt=-XX:NativeMemoryTracking=detail

	[ "${1:-}" = --no-nmt ] && nmt=-XX:NativeMemoryTracking=off && shift
	rm -f "$tmp/in"
	mkfifo "$tmp/in"
	java "$nmt" "$@" "$JAVA_SRC" 64 <"$tmp/in" >"$tmp/jvm.out" 2>&1 &
	jpid=$!
	exec 3>"$tmp/in"
	for ((i = 0; i < 600; i++)); do
		grep -q '^ready$' "$tmp/jvm.out" && return 0
		kill -0 "$jpid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

stop_jvm() {
	exec 3>&-
	wait "$jpid" 2>/dev/null
	jpid=
}

for gc in "${GCS[@]}"; do
	case $gc in
	g1) flag=-XX:+UseG1GC ;;
	parallel) flag=-XX:+UseParallelGC ;;
	serial) flag=-XX:+UseSerialGC ;;
	esac
	if ! start_jvm "$flag"; then
		fail "jvm-$gc-nmt" "the JVM did not start: $(tail -n 3 "$tmp/jvm.out")"
		fail "jvm-$gc-vminfo" "the JVM did not start"
		stop_jvm
		continue
	fi
	jcmd "$jpid" VM.native_memory detail >"$tmp/nmt.txt" 2>&1
	$MT explain -p "$jpid" --json >"$tmp/nmt.json" 2>"$tmp/err"
	MAPTRACE_HOTSPOT_NO_NMT=1 $MT explain -p "$jpid" --json >"$tmp/vminfo.json" 2>>"$tmp/err"
	stop_jvm
	if ! jq -e '.runtime | test("Native Memory Tracking")' "$tmp/nmt.json" >/dev/null; then
		fail "jvm-$gc-nmt" "runtime: $(jq -c .runtime "$tmp/nmt.json" 2>&1) $(head -c 200 "$tmp/err")"
	elif out=$(tests/integration/nmt_compare.py "$tmp/nmt.txt" "$tmp/nmt.json" 95 "Java Heap" \
		   Class Metaspace "Shared class space" Code GC "Thread Stack" Other); then
		pass "jvm-$gc-nmt ($(echo "$out" | tr '\n' ';' | sed 's/ of [0-9]* bytes//g'))"
	else
		fail "jvm-$gc-nmt" "$(echo "$out" | tr '\n' ';')"
	fi
	if ! jq -e '.runtime | test("VM.info")' "$tmp/vminfo.json" >/dev/null; then
		fail "jvm-$gc-vminfo" "runtime: $(jq -c .runtime "$tmp/vminfo.json" 2>&1)"
	elif out=$(tests/integration/nmt_compare.py "$tmp/nmt.txt" "$tmp/vminfo.json" 95 "Java Heap" \
		   Class Metaspace "Shared class space" Code "Thread Stack"); then
		pass "jvm-$gc-vminfo ($(echo "$out" | tr '\n' ';' | sed 's/ of [0-9]* bytes//g'))"
	else
		fail "jvm-$gc-vminfo" "$(echo "$out" | tr '\n' ';')"
	fi
done

# the JVM as users run it: what is left unknown
if start_jvm --no-nmt; then
	$MT explain -p "$jpid" --json >"$tmp/known.json" 2>"$tmp/err"
	stop_jvm
	known_share jvm-known "$tmp/known.json" "^HotSpot JVM [0-9]"
else
	fail jvm-known "the JVM did not start: $(tail -n 3 "$tmp/jvm.out")"
	stop_jvm
fi

# --no-attach: the JVM is named, not asked; no region gets a java kind
if start_jvm; then
	$MT explain -p "$jpid" --no-attach --json >"$tmp/na.json" 2>"$tmp/err"
	stop_jvm
	java_kinds=$(jq '[.regions[] | select(.kind | startswith("java-"))] | length' "$tmp/na.json")
	if jq -e '.runtime | test("--no-attach")' "$tmp/na.json" >/dev/null && [ "$java_kinds" = 0 ]; then
		pass jvm-no-attach
	else
		fail jvm-no-attach "runtime $(jq -c .runtime "$tmp/na.json"), $java_kinds java regions"
	fi
else
	fail jvm-no-attach "the JVM did not start: $(tail -n 3 "$tmp/jvm.out")"
	stop_jvm
fi

run_malloc_tests
run_go_tests
run_node_tests
run_python_tests

finish runtimes
