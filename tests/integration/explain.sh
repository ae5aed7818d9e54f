#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Integration tests for `maptrace explain`: labels on a running
# multi-threaded program (/proc only), origins with DWARF-unwound stacks
# on a program built without frame pointers, and real programs (java
# -version, go build) as they exit (real BPF, root).
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
tp_pid=
cleanup() { [ -n "$tp_pid" ] && kill "$tp_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT


# --- explain -p on a running pool: every thread stack with its TID and
#     guard page, every arena with its reserve, the large chunks (no BPF)
mkfifo "$tmp/in"
"$W/thread_pool" <"$tmp/in" >"$tmp/ready" &
tp_pid=$!
exec 9>"$tmp/in" # hold stdin open: the workers block on it
for _ in $(seq 50); do grep -q ready "$tmp/ready" 2>/dev/null && break; sleep 0.1; done
# a running thread's stack pointer is unknown: wait until all block in read()
for _ in $(seq 50); do
	states=$(cat /proc/"$tp_pid"/task/*/stat 2>/dev/null | sed 's/.*) //' | cut -c1 | sort -u | tr -d '\n')
	[ "$states" = S ] && break
	sleep 0.1
done
if ! $MT explain --json -p "$tp_pid" >"$tmp/pool.json" 2>"$tmp/pool.err"; then
	fail explain-pool "explain -p failed: $(cat "$tmp/pool.err")"
else
	want_tids=$(ls "/proc/$tp_pid/task" | grep -vx "$tp_pid" | sort -n | tr '\n' ' ')
	got_tids=$(jq -r '.regions[] | select(.kind == "thread-stack") | .tid' "$tmp/pool.json" | sort -n | tr '\n' ' ')
	guard_tids=$(jq -r '.regions[] | select(.kind == "guard-page") | .tid' "$tmp/pool.json" | sort -n | tr '\n' ' ')
	# each guard page sits right below its thread's stack
	guards_below=$(jq '[.regions as $r | range(0; ($r | length) - 1) | select($r[.].kind == "guard-page")
		| select($r[. + 1].kind == "thread-stack" and $r[. + 1].start == $r[.].end
			 and $r[. + 1].tid == $r[.].tid)] | length' "$tmp/pool.json")
	arenas=$(jq '[.regions[] | select(.kind == "malloc-arena")] | length' "$tmp/pool.json")
	# each arena's reserve continues it; together they are one 64 MiB heap
	reserves=$(jq '[.regions as $r | range(0; ($r | length) - 1) | select($r[.].kind == "malloc-arena")
		| select($r[. + 1].kind == "arena-reserve" and $r[. + 1].start == $r[.].end
			 and $r[.].size + $r[. + 1].size == 67108864)] | length' "$tmp/pool.json")
	# three 200 KiB chunks, merged or not by the kernel
	large=$(jq '[.regions[] | select(.kind == "large-malloc") | .size] | add // 0' "$tmp/pool.json")
	if [ "$got_tids" = "$want_tids" ] && [ "$guard_tids" = "$want_tids" ] && [ "$guards_below" = 3 ] &&
		[ "$arenas" = 3 ] && [ "$reserves" = 3 ] && [ "$large" -ge $((3 * 200 * 1024)) ]; then
		pass "explain-pool (stacks of TIDs $want_tids with guard pages, 3 arenas with reserves)"
	else
		fail explain-pool "tids want '$want_tids' got '$got_tids' guards '$guard_tids' below=$guards_below arenas=$arenas reserves=$reserves large=$large"
	fi
fi
exec 9>&-
wait "$tp_pid" 2>/dev/null
tp_pid=

# --- explain -p on musl programs, dynamic and static: the C library is
#     named (musl, from its loader's name; a static program without glibc,
#     which nothing in this one names: "other"), and nothing is described
#     in glibc's terms (no arenas) (no BPF)
if ! command -v musl-gcc >/dev/null; then
	for t in explain-musl explain-musl-known; do
		skip "$t" "musl-gcc is not installed (make deps installs musl-tools)"
	done
else
	for link in static dynamic; do
		flags=-static want=other
		[ "$link" = dynamic ] && flags= want=musl
		if ! musl-gcc $flags -O2 -o "$tmp/musl-$link" tests/integration/musl_alloc.c -lpthread 2>"$tmp/musl.err"; then
			fail "explain-musl-$link" "musl-gcc failed: $(head -c 300 "$tmp/musl.err")"
			continue
		fi
		mkfifo "$tmp/musl-in-$link"
		"$tmp/musl-$link" <"$tmp/musl-in-$link" >"$tmp/musl-ready" &
		tp_pid=$!
		exec 9>"$tmp/musl-in-$link"
		for _ in $(seq 50); do grep -q ready "$tmp/musl-ready" 2>/dev/null && break; sleep 0.1; done
		$MT explain -p "$tp_pid" >"$tmp/musl.txt" 2>"$tmp/musl.err"
		st=$?
		$MT explain --json -p "$tp_pid" >"$tmp/musl.json" 2>>"$tmp/musl.err"
		exec 9>&-
		wait "$tp_pid" 2>/dev/null
		tp_pid=
		if [ "$st" != 0 ]; then
			fail "explain-musl-$link" "exit $st: $(head -c 300 "$tmp/musl.err")"
		elif ! grep -q "^C library: $want; malloc: " "$tmp/musl.txt"; then
			fail "explain-musl-$link" "C library not named $want: $(grep -m1 '^C library' "$tmp/musl.txt")"
		elif grep -v '^C library: ' "$tmp/musl.txt" | grep -qi -e glibc -e arena; then
			fail "explain-musl-$link" "glibc terms: $(grep -v '^C library: ' "$tmp/musl.txt" | grep -m2 -i -e glibc -e arena | cut -c1-160)"
		elif [ "$(jq -r '[.libc, ([.regions[] | select(.kind == "heap")] | length > 0)] | @tsv' \
			"$tmp/musl.json")" != "$(printf '%s\ttrue' "$want")" ]; then
			fail "explain-musl-$link" "JSON: $(jq -c '{libc, kinds: [.summary[].kind]}' "$tmp/musl.json")"
		else
			pass "explain-musl-$link ($(jq -r '[.summary[].kind] | join(" ")' "$tmp/musl.json"))"
		fi
		# musl's malloc keeps no figures: what is left unknown is the check
		known_share "explain-musl-$link-known" "$tmp/musl.json" ""
	done
fi

# --- origins (BPF): needs root and a loadable tracer
reason=$(bpf_unavailable)
if [ -n "$reason" ]; then
	for t in origins-malloc origins-mmap origins-pthread origins-arena origins-exit-status at-peak \
		jit-memfd origins-dlclosed traced-labels user-rules bad-rules real-java-version real-go-build; do
		skip "$t" "$reason"
	done
else
	$MT explain --json -- "$W/origins" >"$tmp/o.json" 2>"$tmp/o.err"
	st=$?
	[ "$st" = 0 ] && pass origins-exit-status || fail origins-exit-status "exit $st: $(cat "$tmp/o.err")"
	# frames of every origin of regions of the given kinds, one stack per line
	stacks() {
		jq -r --arg kinds "$1" '.regions[] | select(.kind | IN($kinds | split(" ")[]))
			| .origins[]? | [.stack[] | "\(.function)@\(.file // "-"):\(.line // 0)"] | join(" ")' "$tmp/o.json"
	}
	# a 1 MiB malloc: mmap'd by glibc, named through malloc to the program's function and line
	if stacks "large-malloc anon" | grep -Eq "__libc_malloc@[^ ]* make_big_buffer@origins.c:[0-9]+ main@origins.c"; then
		pass origins-malloc
	else
		fail origins-malloc "no stack through malloc to make_big_buffer: $(stacks 'large-malloc anon' | head -3)"
	fi
	# the program's own mmap: direct-mmap, its description naming the caller
	if stacks "direct-mmap" | grep -Eq "^__mmap@[^ ]* map_direct@origins.c:[0-9]+ main@origins.c" &&
		jq -e '[.regions[] | select(.kind == "direct-mmap" and .evidence == "traced"
			and (.description | test("mapped by map_direct at origins.c:[0-9]+")))] | length == 1' \
			"$tmp/o.json" >/dev/null; then
		pass origins-mmap
	else
		fail origins-mmap "no direct-mmap region mapped by map_direct: $(stacks 'direct-mmap large-malloc anon' | head -3)"
	fi
	n=$(stacks "thread-stack guard-page" | grep -Ec "pthread_create[^ ]* start_pool[^ ]* main@origins.c")
	if [ "$n" -ge 4 ]; then
		pass "origins-pthread ($n stack and guard regions from start_pool)"
	else
		fail origins-pthread "$n thread-stack/guard-page regions traced to start_pool: $(stacks 'thread-stack guard-page' | head -2)"
	fi
	if stacks "malloc-arena arena-reserve" | grep -Eq "arena_get2[^ ]* .*__libc_malloc@[^ ]* pool_worker@origins.c:[0-9]+"; then
		pass origins-arena
	else
		fail origins-arena "no arena traced to pool_worker's malloc: $(stacks 'malloc-arena arena-reserve' | head -2)"
	fi
	# labels from creating stacks: the arenas, thread stacks and
	# sysmalloc's chunk by signatures.rules, map_direct's own mmap, which
	# matches no rule, by its caller: all "traced"
	# (how many arenas the pool's threads get depends on timing: the set
	# of kind:evidence pairs is what is asserted)
	lab=$(jq -r '.regions[] | select(.kind | IN("malloc-arena", "arena-reserve", "thread-stack",
		"guard-page", "large-malloc", "direct-mmap")) | "\(.kind):\(.evidence)"' "$tmp/o.json" | sort -u | tr '\n' ' ')
	want="arena-reserve:traced direct-mmap:traced guard-page:traced large-malloc:traced malloc-arena:traced thread-stack:traced "
	[ "$lab" = "$want" ] && pass traced-labels || fail traced-labels "got '$lab', want '$want'"
	# --rules: a user's rule comes before the built-in ones
	printf '# test\nanon-named  map_direct\n' >"$tmp/my.rules"
	$MT explain --json --rules "$tmp/my.rules" -- "$W/origins" >"$tmp/r.json" 2>"$tmp/r.err"
	got=$(jq -r '.regions[] | select(.evidence == "traced" and .kind == "anon-named") | .description' "$tmp/r.json")
	case $got in
	*"traced: created in map_direct"*) pass user-rules ;;
	*) fail user-rules "no region labelled by the user's rule: '$got' $(head -c 200 "$tmp/r.err")" ;;
	esac
	printf 'no-such-kind  map_direct\n' >"$tmp/bad.rules"
	$MT explain --rules "$tmp/bad.rules" -- "$W/origins" >/dev/null 2>"$tmp/bad.err"
	st=$?
	$MT explain --rules "$tmp/no.rules" -- "$W/origins" >/dev/null 2>"$tmp/no.err"
	st2=$?
	if [ "$st" = 2 ] && [ "$(cat "$tmp/bad.err")" = "maptrace explain: $tmp/bad.rules:1: unknown kind 'no-such-kind' (kinds: see maptrace explain --help)" ] &&
		[ "$st2" = 2 ] && [ "$(cat "$tmp/no.err")" = "maptrace explain: cannot read --rules $tmp/no.rules: No such file or directory" ]; then
		pass bad-rules
	else
		fail bad-rules "exit $st: $(cat "$tmp/bad.err"); missing file: exit $st2: $(cat "$tmp/no.err")"
	fi
	# a memfd code region (JIT-like) and memory mapped by a dlopen()ed
	# library that is dlclose()d before exit: its creator is still named
	$MT explain --json -- "$W/jit_dlopen" "$PWD/$W/libmapper.so" >"$tmp/jit.json" 2>"$tmp/jit.err"
	jit=$(jq -r '.regions[] | select(.kind == "jit-code" and .perms == "r-xs") | .name' "$tmp/jit.json")
	jit_origin=$(jq -r '.regions[] | select(.kind == "jit-code") | .origins[0].stack[1].function' "$tmp/jit.json")
	if [ "$jit" = "/memfd:jit" ] && [ "$jit_origin" = emit_code ]; then
		pass "jit-memfd (r-xs /memfd:jit from emit_code)"
	else
		fail jit-memfd "jit-code region '$jit' from '$jit_origin': $(cat "$tmp/jit.err")"
	fi
	lib=$(jq -r '.regions[] | select(.size == 786432) | .origins[0].stack[] | select(.function == "mapper_alloc")
		| "\(.function)@\(.file):\(.module | split("/") | last)"' "$tmp/jit.json")
	if [ "$lib" = "mapper_alloc@libmapper.c:libmapper.so" ]; then
		pass "origins-dlclosed (768 KiB region from mapper_alloc in libmapper.so, unloaded by exit)"
	else
		fail origins-dlclosed "creator of the 768 KiB region: '$lib'"
	fi

	# --at peak: a new thread's arena starts as a 128 MiB PROT_NONE
	# reservation that glibc trims to 64 MiB moments later (arena.c
	# new_heap): the peak shows the reservation, the exit does not
	py=/usr/bin/python3
	if [ -x "$py" ]; then
		$MT explain --json --at peak -- "$py" tests/demo.py >"$tmp/peak.json" 2>"$tmp/peak.err"
		$MT explain --json --at exit -- "$py" tests/demo.py >"$tmp/exit.json" 2>>"$tmp/peak.err"
		big='[.regions[] | select(.size == 134217728 and .perms == "---p")] | length'
		if [ "$(jq "$big" "$tmp/peak.json")" = 1 ] && [ "$(jq "$big" "$tmp/exit.json")" = 0 ] &&
			[ "$(jq '[.regions[] | select(.kind == "arena-reserve")] | length' "$tmp/exit.json")" -ge 1 ]; then
			pass "at-peak (128 MiB arena reservation at the peak, trimmed by exit)"
		else
			fail at-peak "peak/exit regions unexpected: $(cat "$tmp/peak.err") $(jq -c '[.regions[] | select(.size >= 60000000) | {kind, size, perms}]' "$tmp/peak.json" "$tmp/exit.json" | tr '\n' ' ')"
		fi
	else
		skip at-peak "no /usr/bin/python3 to run the demo with"
	fi
fi

# --- real programs, explained as they exit (BPF): `java -version` (the JVM
#     is not asked then: its creating stacks and the shapes label it) and
#     `go build` (the go command, a Go program linked with C) each have
#     under 5% of their RSS of unknown origin
real_program() {
	local name=$1 re=$2
	shift 2
	if ! $MT explain --json -- "$@" >"$tmp/real.json" 2>"$tmp/real.err"; then
		fail "$name" "explain -- $* failed: $(tail -n 3 "$tmp/real.err")"
	else
		known_share "$name" "$tmp/real.json" "$re"
	fi
}
if [ -z "$reason" ]; then
	if command -v java >/dev/null; then
		real_program real-java-version "^HotSpot JVM \\(not asked as it exits" java -version
	else
		skip real-java-version "no java (make deps installs openjdk-17-jdk-headless)"
	fi
	if command -v go >/dev/null; then
		# the workloads' build cache: a link, not a build of the runtime
		GOCACHE=$PWD/.output/gocache GOPATH=$PWD/.output/gopath CGO_ENABLED=0 \
			real_program real-go-build "^Go go1" go build -o "$tmp/go_hold" tests/workloads/go/hold.go
	else
		skip real-go-build "no go (make deps installs golang-go)"
	fi
fi

finish explain-integration
