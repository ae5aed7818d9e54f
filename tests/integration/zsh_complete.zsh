# SPDX-License-Identifier: GPL-2.0
# zsh_complete.zsh - what zsh's completion offers for command lines, as a
# user pressing TAB gets it (install.sh's zsh checks):
#
#   zsh -f tests/integration/zsh_complete.zsh FPATH-DIR OUT 'LINE' ...
#
# An interactive zsh on a pseudo-terminal (zsh/zpty) runs compinit with
# FPATH-DIR first in $fpath; each LINE is typed and TAB pressed, and every
# match completion offers is written, one a line, to OUT.N (N counts LINEs
# from 1): compadd is wrapped to record what it is given before adding it.
zmodload zsh/zpty || exit 2
dir=$1 out=$2
shift 2
zpty z zsh -f -i
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D; bindkey '^I' complete-word"
# (with -O, -A or -D, compadd is asked for matches and offers nothing; the
# terminal's zsh is interactive: no comments in what it is given)
zpty -w z 'compadd() {
	if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi
	local -a hits; local -A apre hpre
	builtin compadd -A hits "$@"
	zparseopts -E P:=apre p:=hpre
	(( $#hits )) && print -rl -- $IPREFIX${apre[-P]}${hpre[-p]}${^hits} >>$CAPTURE
	builtin compadd "$@"
}'

# Run shell command $1 in the terminal's zsh and wait until it has made
# file $2: that zsh has read everything typed before it.
sync_on() {
	local i
	zpty -w z "$1"
	for i in {1..200}; do [[ -e $2 ]] && return 0; sleep 0.05; done
	return 1
}

sync_on "touch ${(q)out}.ready" $out.ready || exit 3
n=0
for line; do
	n=$((n + 1))
	: >$out.$n
	zpty -w z "CAPTURE=${(q)out}.$n"
	# TAB, then ^U clears what completion left on the line
	zpty -w -n z "$line"$'\t\C-u'
	sync_on "touch ${(q)out}.$n.done" $out.$n.done || exit 3
done
zpty -d z
