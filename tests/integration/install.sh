#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# install.sh - `make install`: the binary, the man pages and the shell
# completions land under PREFIX, and what they say is what the binary's
# --help texts say (no root, no BPF; a few seconds). Every expectation is
# read from ./maptrace's own help, independently of docs/man/generate.py.
#
#   install-files     make install DESTDIR=$tmp PREFIX=/usr installs exactly
#                     bin/maptrace (runnable), share/man/man1/maptrace.1 and
#                     maptrace-CMD.1 for every command, the bash and the zsh
#                     completion
#   man-maptrace      `man maptrace` (MANPATH: the installed pages) names
#                     every command's page with the command's summary, and
#                     shows every --option and Usage form of maptrace --help
#   man-CMD           `man maptrace-CMD` shows every form of its Usage
#                     and every --option its help mentions; its NAME line
#                     is the command's summary
#   man-warnings      groff -man -ww reports nothing for any page
#   bash-commands     maptrace <TAB>: exactly the commands
#   bash-options      maptrace CMD --<TAB>: every long option of CMD's
#                     Options, for every command
#   bash-kind-option  maptrace explain --k<TAB>: --kind
#   bash-kinds        maptrace explain --kind <TAB>: exactly the Kinds of
#                     explain's help (thread-stack, java-heap among them)
#   bash-kind-word    ... --kind thr<TAB>: thread-stack; -k thread-stack,gu
#                     <TAB>: thread-stack,guard-page; --kind=thr as bash
#                     splits it
#   bash-values       --sort keys (explain: rss; top: unmapped), top's
#                     -k N offers nothing, --at peak|exit, pids for -p, files
#                     for --rules, stat -o and diff's arguments, a command
#                     after --
#                     (bash-*: the installed file sourced in bash --norc,
#                     COMP_WORDS and COMP_CWORD set, _maptrace called)
#   zsh-parse         zsh -n accepts _maptrace
#   zsh-compdef       compinit in zsh -f binds maptrace to _maptrace, which
#                     loads
#   zsh-complete      zsh's TAB (zsh/zpty): the commands, --kind,
#                     thread-stack, java-heap, rss, a command after --
#   uninstall         make uninstall leaves no file behind
# (zsh-*: skipped without zsh; .ci/install-deps installs it)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
sleeper=
cleanup() { [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

dest=$tmp/dest
man1=$dest/usr/share/man/man1
bashcomp=$dest/usr/share/bash-completion/completions/maptrace
zshdir=$dest/usr/share/zsh/vendor-completions

# The commands `maptrace --help` lists, and each one's summary
mapfile -t commands < <($MT --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p')
summary() { $MT --help | sed -n "/^Commands:/,/^\$/s/^  $1 *//p"; }
# The long options named anywhere in text $1, one a line
longs() { grep -oE -- '--[a-z][a-z0-9-]*' <<<"$1" | sort -u; }
# The long options of CMD's Options items (the lines that begin with an
# option, not their continuations)
option_longs() { longs "$($MT "$1" --help | sed -n '/^Options:/,/^$/p' | grep -E '^ {1,7}-')"; }
# What is in $1 (one word a line) and not in $2
missing() { comm -23 <(sort -u <<<"$1") <(sort -u <<<"$2") | tr '\n' ' '; }
# Test $1 passes (saying $3) when $2, the problems found, is empty
verdict() { if [ -z "$2" ]; then pass "$1${3:+ ($3)}"; else fail "$1" "$2"; fi; }

if [ ${#commands[@]} -lt 2 ]; then
	fail install-files "maptrace --help lists no commands: is ./maptrace built?"
	finish install
	exit
fi

# --- make install into a scratch root
make --no-print-directory install DESTDIR="$dest" PREFIX=/usr >"$tmp/install.log" 2>&1
rc=$?
if ((rc)); then
	fail install-files "make install exited with status $rc"
	detail "$tmp/install.log"
	finish install
	exit
fi
want="usr/bin/maptrace
usr/share/bash-completion/completions/maptrace
usr/share/man/man1/maptrace.1
usr/share/zsh/vendor-completions/_maptrace"
for c in "${commands[@]}"; do want+=$'\n'"usr/share/man/man1/maptrace-$c.1"; done
got=$(cd "$dest" && find . -type f | sed 's|^\./||')
if [ -n "$(missing "$want" "$got")$(missing "$got" "$want")" ]; then
	fail install-files "missing: $(missing "$want" "$got")unexpected: $(missing "$got" "$want")"
elif ! cmp -s <("$dest/usr/bin/maptrace" --help) <($MT --help); then
	fail install-files "the installed maptrace does not print ./maptrace's help"
else
	pass "install-files ($(wc -l <<<"$got") files, ${#commands[@]} commands)"
fi

# Page $1 as man renders it from the installed pages, 250 columns wide (no
# usage line wrapped), or status 1 and why in $tmp/man.err.
render() {
	MANPATH=$dest/usr/share/man MANWIDTH=250 MANPAGER=cat man "$1" 2>"$tmp/man.err"
}
# What the rendered page in file $1 lacks of help text $2: its long
# options, the forms of its Usage.
page_lacks() {
	local lost usage_lost='' form
	lost=$(missing "$(longs "$2")" "$(longs "$(cat "$1")")")
	while read -r form; do
		grep -qF -- "$form" "$1" || usage_lost+="'$form' "
	done < <(sed -n '1,/^$/{s/^Usage: //; s/^ *//; /^$/!p}' <<<"$2")
	[ -z "$lost$usage_lost" ] || echo "missing options: ${lost:-none}; missing usage: ${usage_lost:-none}"
}

if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
	for t in man-maptrace "${commands[@]/#/man-}" man-warnings; do
		skip "$t" "man or groff is not installed (.ci/install-deps installs man-db and groff-base)"
	done
else
	# --- man maptrace: its help, every command with its page and summary
	if ! render maptrace >"$tmp/maptrace.txt" ||
		[ "$(MANPATH=$dest/usr/share/man man -w maptrace 2>&1)" != "$man1/maptrace.1" ]; then
		fail man-maptrace "man maptrace: $(cat "$tmp/man.err")"
	else
		bad=$(page_lacks "$tmp/maptrace.txt" "$($MT --help)")
		for c in "${commands[@]}"; do
			sed 's/^ *//' "$tmp/maptrace.txt" | grep -A1 -x "maptrace-$c(1)" | grep -qxF -- "$(summary "$c")" ||
				bad+=" command $c: no maptrace-$c(1) with its summary;"
		done
		verdict man-maptrace "$bad" "${#commands[@]} commands"
	fi

	# --- man maptrace-CMD: the help's usage forms and long options, all
	for c in "${commands[@]}"; do
		if ! render "maptrace-$c" >"$tmp/$c.txt"; then
			fail "man-$c" "man maptrace-$c: $(cat "$tmp/man.err")"
			continue
		fi
		help=$($MT "$c" --help)
		bad=$(page_lacks "$tmp/$c.txt" "$help")
		grep -qxF -- "maptrace-$c - $(summary "$c")" <(sed 's/^ *//' "$tmp/$c.txt") ||
			bad+=" NAME is not 'maptrace-$c - $(summary "$c")'"
		verdict "man-$c" "$bad" "$(longs "$help" | wc -l) long options"
	done

	# --- no warnings from groff, all warnings on
	warned=
	for page in "$man1"/*.1; do
		out=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
		[ -n "$out" ] && warned+="$(basename "$page"): $(head -n 2 <<<"$out" | tr '\n' ' ')"
	done
	verdict man-warnings "$warned" "$((${#commands[@]} + 1)) pages"
fi

# --- bash: the completion function with COMP_WORDS set as bash sets them
# What the installed completion offers for the words, the last one being
# completed, one a line, sorted.
bash_complete() {
	bash --norc --noprofile -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_maptrace && printf "%s\n" "${COMPREPLY[@]}"' _ "$bashcomp" "$@" 2>&1 | sort
}
# offer_problem exact|some WANT WORDS...: nothing when completing WORDS
# offers exactly the lines WANT, or (some) the line WANT among others; else
# what it offered.
offer_problem() {
	local mode=$1 want=$2 got
	shift 2
	got=$(bash_complete "$@")
	if [ "$mode" = exact ]; then
		[ "$got" = "$(sort <<<"$want")" ] && return
	else
		grep -qxF -- "$want" <<<"$got" && return
	fi
	printf "'%s<TAB>' offered '%s', expected %s '%s'; " "$*" "$(tr '\n' ' ' <<<"$got")" "$mode" \
		"$(tr '\n' ' ' <<<"$want")"
}

all=$(printf '%s\n' "${commands[@]}")
verdict bash-commands "$(offer_problem exact "$all" maptrace ""
	offer_problem exact "$all" maptrace -v "")" "${#commands[@]}"

bad=
for c in "${commands[@]}"; do
	lost=$(missing "$(option_longs "$c")" "$(bash_complete maptrace "$c" --)")
	[ -n "$lost" ] && bad+="maptrace $c --<TAB> does not offer $lost; "
done
verdict bash-options "$bad" "every command"

verdict bash-kind-option "$(offer_problem exact --kind maptrace explain --k)"

kinds=$($MT explain --help | awk '/^Kinds:/ { k = 1; next } /^[^ ]/ || /^$/ { k = 0 }
	k && /^  [a-z]/ { sub(/^ +/, ""); sub(/   .*/, ""); gsub(/ +/, "\n"); print }')
if ! grep -qx thread-stack <<<"$kinds" || ! grep -qx java-heap <<<"$kinds"; then
	fail bash-kinds "explain --help's Kinds do not name thread-stack and java-heap: $(tr '\n' ' ' <<<"$kinds")"
else
	verdict bash-kinds "$(offer_problem exact "$kinds" maptrace explain --kind "")" "$(wc -l <<<"$kinds") kinds"
fi

verdict bash-kind-word "$(offer_problem exact thread-stack maptrace explain --kind thr
	offer_problem exact thread-stack,guard-page maptrace explain -k thread-stack,gu
	offer_problem exact thread-stack maptrace explain --kind = thr)"

sleep 60 &
sleeper=$!
touch "$tmp/rules.txt" "$tmp/out.json" "$tmp/base.json"
verdict bash-values "$(offer_problem some rss maptrace explain --sort ""
	offer_problem exact unmapped maptrace top -s unm
	offer_problem exact "" maptrace top -k ""
	offer_problem exact $'peak\nexit' maptrace explain --at ""
	offer_problem some "$sleeper" maptrace explain -p ""
	offer_problem some "1,$sleeper" maptrace trace -p "1,$sleeper"
	offer_problem exact "$tmp/rules.txt" maptrace explain --rules "$tmp/ru"
	offer_problem exact "$tmp/out.json" maptrace stat -o "$tmp/ou"
	offer_problem exact "$tmp/base.json" maptrace diff "$tmp/ba"
	offer_problem some sleep maptrace trace -- slee)" "sort keys, no kinds for top's -k, peak|exit, pids, files, a command"

# --- zsh: the file parses, compinit binds it, and TAB offers what bash does
if ! command -v zsh >/dev/null; then
	for t in zsh-parse zsh-compdef zsh-complete; do skip "$t" "zsh is not installed (.ci/install-deps installs it)"; done
else
	err=$(zsh -n "$zshdir/_maptrace" 2>&1) || err=${err:-zsh -n exited with status $?}
	verdict zsh-parse "$err"
	err=$(zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -D
		[[ $_comps[maptrace] == _maptrace ]] || { print "maptrace is bound to \"$_comps[maptrace]\""; exit 1; }
		autoload +X _maptrace && (( $+functions[_maptrace] ))' _ "$zshdir" 2>&1) ||
		err=${err:-_maptrace does not load}
	verdict zsh-compdef "$err"
	# one sample each: a command, the option, the kind, another kind, a
	# sort key, a command after --
	lines=("maptrace " "maptrace explain --k" "maptrace explain --kind thr" "maptrace explain --kind "
		"maptrace explain --sort " "maptrace trace -- slee")
	want=(trace --kind thread-stack java-heap rss sleep)
	timeout -k 5 30 zsh -f tests/integration/zsh_complete.zsh "$zshdir" "$tmp/z" "${lines[@]}"
	rc=$?
	if ((rc)); then
		fail zsh-complete "zsh_complete.zsh exited with status $rc"
	else
		bad=
		for i in "${!lines[@]}"; do
			grep -qx -- "${want[i]}" "$tmp/z.$((i + 1))" ||
				bad+="'${lines[i]}<TAB>' offered '$(head -n 5 "$tmp/z.$((i + 1))" | tr '\n' ' ')', not ${want[i]}; "
		done
		[ "$(sort -u "$tmp/z.1")" = "$(sort <<<"$all")" ] ||
			bad+="'maptrace <TAB>' offered '$(tr '\n' ' ' <"$tmp/z.1")', not exactly the commands; "
		[ "$(cat "$tmp/z.3")" = thread-stack ] ||
			bad+="'maptrace explain --kind thr<TAB>' offered '$(tr '\n' ' ' <"$tmp/z.3")', not only thread-stack; "
		verdict zsh-complete "$bad" "${#lines[@]} command lines"
	fi
fi

# --- make uninstall
make --no-print-directory uninstall DESTDIR="$dest" PREFIX=/usr >"$tmp/uninstall.log" 2>&1
rc=$?
if ((rc)); then
	fail uninstall "make uninstall exited with status $rc"
	detail "$tmp/uninstall.log"
elif left=$(cd "$dest" && find . -type f) && [ -n "$left" ]; then
	fail uninstall "left behind: $(tr '\n' ' ' <<<"$left")"
else
	pass uninstall
fi

finish install
