#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run.sh - build the libFuzzer targets of tests/fuzz and run each for a while.
#
#   tests/fuzz/run.sh SECONDS [TARGET...]      (make fuzz, make fuzz-short)
#
# Builds with clang-19 (CLANG= overrides) and -fsanitize=fuzzer,address,
# undefined into .output/fuzz/, then runs one target at a time for SECONDS
# on a temporary copy of its corpus (tests/fuzz/corpus/TARGET/), so a run
# never grows the committed corpus. Prints per target
#   PASS fuzz-TARGET (N runs)
#   FAIL fuzz-TARGET: crash, reproducer at PATH      (also leak, timeout, oom)
#   SKIP fuzz-TARGET: REASON
# and last "fuzz: P passed, F failed, S skipped"; exits 1 when F > 0.
# Reproducers are kept in .output/fuzz/crashes/TARGET/; replay one with
#   .output/fuzz/fuzz_TARGET PATH
# libFuzzer's runtime comes with Debian's libclang-rt-19-dev: installed here
# with apt-get when running as root, else every target is skipped.
set -u

cd "$(dirname "$0")/../.." || exit 1

secs=${1:-}
if ! [[ $secs =~ ^[0-9]+$ ]] || (( secs == 0 )); then
	echo "usage: tests/fuzz/run.sh SECONDS [TARGET...]" >&2
	exit 2
fi
shift

CLANG=${CLANG:-clang-19}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
out=.output/fuzz
all_targets=(maps smaps events jsonread budget jsonwrite options)
targets=("${@:-${all_targets[@]}}")

# What each target links: the library of user/'s layers that call no
# libbpf (the Makefile's LIB_LAYERS), built here with the fuzzer's
# instrumentation; "options" drives session.c, which drives the tracer:
# the tracer and command layers too (but main.c), with libbpf.
lib_layers="base core proc analyze out kernel"
declare -A srcs=(
	[maps]=lib [smaps]=lib [events]=lib [jsonread]=lib [budget]=lib [jsonwrite]=lib
	[options]=all
)
# Longest input: a maps line with a 4 KB path fits, a recorded smaps fits.
declare -A max_len=(
	[maps]=32768 [smaps]=65536 [events]=16384 [jsonread]=8192
	[budget]=256 [jsonwrite]=4096 [options]=1024
)
# targets that print diagnostics for bad input: keep libFuzzer's output readable
declare -A quiet=([budget]=1 [options]=1)

# The Makefile's warnings, fatal for the fuzz targets; the user/ sources are
# held to them by the Makefile's compiler, so clang only reports here.
WARN="-Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter"
CFLAGS="-std=gnu11 -O1 -g -fno-omit-frame-pointer -D_GNU_SOURCE -Iinclude -Iuser -I.output $WARN"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"

passed=0 failed=0 skipped=0

skip_all() {
	for t in "${targets[@]}"; do
		echo "SKIP fuzz-$t: $1"
		skipped=$((skipped + 1))
	done
	echo "fuzz: $passed passed, $failed failed, $skipped skipped"
	exit 0
}

# Whether $CLANG can link a libFuzzer target (the runtime is installed).
have_fuzzer_runtime() {
	local d rc
	d=$(mktemp -d) || return 1
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
		> "$d/probe.c"
	"$CLANG" -fsanitize=fuzzer,address,undefined "$d/probe.c" -o "$d/probe" >/dev/null 2>&1
	rc=$?
	rm -rf "$d"
	return $rc
}

for t in "${targets[@]}"; do
	if [ -z "${srcs[$t]:-}" ]; then
		echo "run.sh: unknown target '$t' (known: ${all_targets[*]})" >&2
		exit 2
	fi
done

if ! command -v "$CLANG" >/dev/null; then
	skip_all "$CLANG not found (Debian package clang-19)"
fi
if ! have_fuzzer_runtime; then
	if dpkg-query -W -f='${Status}' libclang-rt-19-dev 2>/dev/null | grep -q "ok installed"; then
		skip_all "$CLANG cannot link a libFuzzer target although libclang-rt-19-dev is installed"
	fi
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "run.sh: libFuzzer runtime missing: installing libclang-rt-19-dev" >&2
		apt-get update -qq >/dev/null 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			libclang-rt-19-dev >/dev/null 2>&1
	fi
	have_fuzzer_runtime ||
		skip_all "libFuzzer runtime not installed (Debian package libclang-rt-19-dev; run as root to install it)"
fi

mkdir -p "$out/obj" "$out/crashes" || exit 1
# A change of compiler or flags rebuilds everything.
stamp="$CLANG $("$CLANG" --version | head -n1) $CFLAGS $SAN"
if [ "$(cat "$out/flags" 2>/dev/null)" != "$stamp" ]; then
	rm -f "$out"/obj/*.o
	printf '%s\n' "$stamp" > "$out/flags"
fi

# newest header the objects depend on
# (and the built-in signature table, which signatures.c includes)
[ -e .output/signatures.inc ] || ${MAKE:-make} -s --no-print-directory .output/signatures.inc >&2
newest_header=$(ls -t include/maptrace/*.h user/*/*.h tests/fuzz/*.h .output/*.skel.h \
	.output/signatures.inc 2>/dev/null | head -n1)

# Compile user/$1 (LAYER/FILE.c) unless its object is up to date; prints
# the object.
obj() {
	local src=user/$1 o=$out/obj/${1%.c}.o
	mkdir -p "$(dirname "$o")"
	if [ ! -e "$o" ] || [ "$src" -nt "$o" ] || [ "$newest_header" -nt "$o" ]; then
		"$CLANG" $CFLAGS $SAN -fsanitize=fuzzer-no-link $extra_cflags -c "$src" -o "$o" >&2 ||
			return 1
	fi
	echo "$o"
}

build() {
	local t=$1 list objs=() o bin=$out/fuzz_$1 libs layers=$lib_layers
	extra_cflags=$($PKG_CONFIG --cflags libelf libdw zlib 2>/dev/null)
	# as the Makefile's PC_LIBS: libiberty (the demangler) has no .pc file
	libs="$($PKG_CONFIG --libs libelf libdw zlib 2>/dev/null) -liberty" || return 1
	if [ "${srcs[$t]}" = all ]; then
		for sk in maptrace maptrace_legacy maptrace_nobtf; do
			[ -e ".output/$sk.skel.h" ] && continue
			${MAKE:-make} -s --no-print-directory ".output/$sk.skel.h" >&2 || return 1
			newest_header=.output/$sk.skel.h
		done
		extra_cflags=$($PKG_CONFIG --cflags libbpf libelf libdw zlib 2>/dev/null)
		libs="$($PKG_CONFIG --libs libbpf libelf libdw zlib 2>/dev/null) -liberty" || return 1
		layers="$lib_layers trace cmd"
	fi
	list=$(cd user && for l in $layers; do ls "$l"/*.c; done | grep -vx cmd/main.c)
	for s in $list; do
		o=$(obj "$s") || return 1
		objs+=("$o")
	done
	if [ -e "$bin" ] && [ "$bin" -nt "tests/fuzz/fuzz_$t.c" ] && [ "$bin" -nt "$newest_header" ] &&
	   [ "$bin" -nt "$out/flags" ]; then
		for o in "${objs[@]}"; do
			[ "$o" -nt "$bin" ] && break
		done
		[ "$o" -nt "$bin" ] || return 0
	fi
	"$CLANG" $CFLAGS -Werror $SAN -fsanitize=fuzzer $extra_cflags "tests/fuzz/fuzz_$t.c" "${objs[@]}" \
		$libs -lm -o "$bin" >&2
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for t in "${targets[@]}"; do
	work=$(mktemp -d) || exit 1
	if ! build "$t" > "$work/build.log" 2>&1; then
		mkdir -p "$out/crashes/$t"
		cp "$work/build.log" "$out/crashes/$t/build.log"
		tail -n 20 "$work/build.log"
		echo "FAIL fuzz-$t: build failed, log at $out/crashes/$t/build.log"
		failed=$((failed + 1))
		rm -rf "$work"
		continue
	fi
	mkdir -p "$work/corpus" "$work/artifacts"
	[ -d "tests/fuzz/corpus/$t" ] && cp -R "tests/fuzz/corpus/$t/." "$work/corpus/"
	opts=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="${max_len[$t]}"
	      -print_final_stats=1 -artifact_prefix="$work/artifacts/")
	[ -n "${quiet[$t]:-}" ] && opts+=(-close_fd_mask=2)
	"$out/fuzz_$t" "${opts[@]}" "$work/corpus" > "$work/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$work/log" | tail -n1)
	[ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/log" | tail -n1)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' "$work/log" | tail -n1)
	# (a slow-unit-* artifact alone is no failure)
	artifact=$(ls "$work/artifacts" 2>/dev/null | grep -E '^(crash|leak|timeout|oom)-' | head -n1)
	if (( rc == 0 )) && [ -z "$artifact" ]; then
		echo "  fuzz-$t: ${cov:-no coverage line} in ${secs}s"
		echo "PASS fuzz-$t (${runs:-0} runs)"
		passed=$((passed + 1))
	else
		dest=$out/crashes/$t
		mkdir -p "$dest"
		cp "$work/log" "$dest/log"
		if [ -n "$artifact" ]; then
			cp "$work/artifacts/$artifact" "$dest/$artifact"
			kind=${artifact%%-*}
			grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz invariant|.*runtime error)' "$work/log" | head -n 5
			echo "FAIL fuzz-$t: $kind, reproducer at $dest/$artifact (log: $dest/log; replay: $out/fuzz_$t $dest/$artifact)"
		else
			tail -n 10 "$work/log"
			echo "FAIL fuzz-$t: exited with status $rc, no reproducer (log: $dest/log)"
		fi
		failed=$((failed + 1))
	fi
	rm -rf "$work"
done

echo "fuzz: $passed passed, $failed failed, $skipped skipped"
(( failed == 0 ))
