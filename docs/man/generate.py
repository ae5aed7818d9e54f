#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""generate.py - maptrace's man pages and shell completions, from its --help.

    docs/man/generate.py MANDIR COMPLETIONDIR [RUNNER...] MAPTRACE

Runs `MAPTRACE --help`, takes the commands it lists, runs `MAPTRACE CMD
--help` for each and writes MANDIR/maptrace.1, MANDIR/maptrace-CMD.1,
COMPLETIONDIR/maptrace.bash and COMPLETIONDIR/_maptrace (zsh). The texts
compiled into the binary are the one source: an option added to a usage
text is in the man page and the completions of the next build. RUNNER runs
a cross-built binary (qemu-aarch64-static -L /usr/aarch64-linux-gnu).

A help text is read as blocks separated by blank lines (user/cmd/*.c):

    Usage: maptrace CMD ...        the synopsis, more forms indented under it
    A paragraph.                   DESCRIPTION (wherever it stands)
    Exit status: ...               from such a line to the paragraph's end:
                                   EXIT STATUS
    Options:                       a section: a line at column 0 ending in ':'
                                   with indented lines under it
      -x, --long ARG   text        an item: indented less than 8, its text
                       more text   after 2+ spaces; deeper lines continue it
    A note.                        column 0 right under a section: its note

A section whose items all begin with '-' lists options (.TP items; "Commands"
lists the commands); any other (Kinds, Examples) is kept as laid out.
"""
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field

ITEM_INDENT = 8  # an item line is indented less; its continuations more


@dataclass
class Option:
    names: list          # ["-k", "--kind"]; ["--"] for "-- COMMAND [ARGS]"
    arg: str | None      # "KIND[,KIND...]", or None for a flag
    text: str            # what the help says about it, on one line


@dataclass
class Item:
    spec: str            # "-k, --kind KIND[,KIND...]", or a command's name
    text: list           # its lines of text, stripped


@dataclass
class Section:
    title: str           # "Options", "Kinds", "TARGET (for every command)"
    lines: list          # the indented lines as printed
    note: list = field(default_factory=list)  # column-0 lines right under it
    items: list = field(default_factory=list)  # option (or command) items


@dataclass
class Help:
    usage: list = field(default_factory=list)        # synopsis lines
    paragraphs: list = field(default_factory=list)   # each a list of lines
    exit_status: list = field(default_factory=list)  # likewise
    sections: list = field(default_factory=list)

    def section(self, title):
        return next((s for s in self.sections if s.title == title), None)

    def options(self):
        return [o for s in self.sections if is_option_list(s) for i in s.items
                for o in parse_spec(i.spec, " ".join(i.text))]


def parse_help(text):
    """Split a help text into synopsis, paragraphs and sections."""
    help_ = Help()
    blocks = [b.split("\n") for b in re.split(r"\n\s*\n", text.strip("\n"))]
    for block in blocks:
        first = block[0]
        if first.startswith("Usage:"):
            help_.usage = [first[len("Usage:"):].strip()] + [l.strip() for l in block[1:]]
        elif re.fullmatch(r"\S.*:", first) and (block[1:2] or [" "])[0][:1].isspace():
            section = Section(first[:-1], [])
            body = block[1:]
            # the indented lines are the section; column 0 after them a note
            n = next((i for i, l in enumerate(body) if not l[:1].isspace()), len(body))
            section.lines, section.note = body[:n], body[n:]
            help_.sections.append(section)
        elif first[:1].isspace() and help_.sections:
            help_.sections[-1].lines += block  # a section that had a blank line
        else:
            # "Exit status:" may start a line within a paragraph
            n = next((i for i, l in enumerate(block) if l.startswith("Exit status:")), len(block))
            if n:
                help_.paragraphs.append(block[:n])
            if n < len(block):
                help_.exit_status.append([block[n][len("Exit status:"):].strip()] + block[n + 1:])
    for section in help_.sections:
        section.items = parse_items(section)
    return help_


def parse_items(section):
    items = []
    for line in section.lines:
        indent = len(line) - len(line.lstrip())
        if indent >= ITEM_INDENT and items:
            items[-1].text.append(line.strip())
        elif section.title == "Commands":
            name, _, text = line.strip().partition(" ")
            items.append(Item(name, [text.strip()]))
        else:
            spec, _, text = re.split(r"(\s{2,})", line.strip() + "  ", maxsplit=1)
            items.append(Item(spec, [text.strip()] if text.strip() else []))
    return items


def is_option_list(section):
    return bool(section.items) and all(i.spec.startswith("-") for i in section.items)


def parse_spec(spec, text):
    """"-b, --buffer SIZE, -v, --verbose" -> [-b --buffer] SIZE, [-v --verbose]"""
    options, shorts = [], []
    for token in spec.split(", "):
        name, _, arg = token.partition(" ")
        if re.fullmatch(r"-[A-Za-z]", name) and not arg:
            shorts.append(name)  # spelt out by the long option that follows
            continue
        options.append(Option(shorts + [name], arg or None, text))
        shorts = []
    if shorts:
        options.append(Option(shorts, None, text))
    return options


def usage_words(line):
    """A synopsis line's words without their brackets: "[-p" -> "-p"."""
    words = []
    for w in line.split():
        w = w.lstrip("[")
        while w.endswith("]") and w.count("]") > w.count("["):
            w = w[:-1]
        words.append(w)
    return words


def usage_options(line):
    """The options a synopsis line shows: "[-p PID[,PID...]]" -> -p PID[,PID...]"""
    words = usage_words(line)
    return [Option([w], nxt if re.match(r"[A-Z]", nxt) else None, "")
            for w, nxt in zip(words, words[1:] + [""])
            if re.fullmatch(r"--?[A-Za-z][\w-]*", w)]


def positional_files(help_):
    """Whether the synopsis takes files as arguments (diff: BASE.json NEW.json),
    not as an option's value."""
    for line in help_.usage:
        words = usage_words(line)
        for prev, w in zip([""] + words, words):
            if not prev.startswith("-") and ("FILE" in w or w.endswith(".json")):
                return True
    return False


# ---- roff -------------------------------------------------------------------

def esc(text):
    """Text for roff: a backslash printed, '-' as the ASCII minus of an option
    (not a hyphen groff may render otherwise), quotes as typed."""
    return (text.replace("\\", "\\e").replace("-", "\\-")
            .replace("'", "\\(aq").replace("`", "\\(ga"))


def text_line(text):
    """A line of text that roff cannot take for a request."""
    line = esc(text)
    return "\\&" + line if line.startswith(".") else line


def bold(s):
    return "\\fB" + esc(s) + "\\fR"


def italic(s):
    return "\\fI" + esc(s) + "\\fR"


def fmt_spec(spec):
    """Options and literal words bold, placeholders (capitals) italic."""
    out = []
    for tok in re.findall(r"[^\s\[\]|,]+|\s+|.", spec):
        if tok.isspace() or tok in "[]|,":
            out.append(esc(tok))
        elif tok.startswith("-") or not re.search(r"[A-Z]", tok):
            out.append(bold(tok))
        else:
            out.append(italic(tok))
    return "".join(out)


def paragraphs(paras):
    out = []
    for i, para in enumerate(paras):
        if i:
            out.append(".PP")
        out += [text_line(l.strip()) for l in para]
    return out


def preformatted(lines):
    indent = min(len(l) - len(l.lstrip()) for l in lines if l.strip())
    return [".RS 4", ".EX"] + [text_line(l[indent:]) for l in lines] + [".EE", ".RE"]


def section_body(section, link):
    """A section's items as .TP paragraphs (a command's tag its page),
    anything else as laid out; then its note."""
    if section.title == "Commands":
        out = []
        for item in section.items:
            out += [".TP", link(item.spec)] + [text_line(t) for t in item.text]
    elif is_option_list(section):
        out = []
        for item in section.items:
            out += [".TP", fmt_spec(item.spec)] + [text_line(t) for t in item.text]
    else:
        out = preformatted(section.lines)
    if section.note:
        out += [".PP"] + [text_line(l.strip()) for l in section.note]
    return out


def environment(helps):
    """[(variables, sentence)]: each sentence of the help texts that names
    MAPTRACE_ variables, once."""
    found = {}
    for help_ in helps:
        for para in help_.paragraphs:
            joined = " ".join(l.strip() for l in para)
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", joined):
                names = sorted(set(re.findall(r"\bMAPTRACE_[A-Z0-9_]+", sentence)))
                if names:
                    found[sentence] = names
    return [(names, sentence) for sentence, names in found.items()]


def environment_section(found, where=""):
    out = [".SH ENVIRONMENT"] if found else []
    for names, sentence in found:
        out += [".TP", ", ".join(bold(n) for n in names), text_line(sentence + where)]
    return out


def page(name, link, version, summary, help_, extra_sections, see_also, more=()):
    """One man page, its sections in the order man-pages(7) gives."""
    examples = help_.section("Examples")
    out = [
        f'.\\" {name}.1 - generated by docs/man/generate.py from its --help text: do not edit',
        f'.TH {esc(name.upper())} 1 "" "{esc(version)}" "User Commands"',
        '.\\" no hyphenation: never split an option name (.EE restores HY)',
        ".nr HY 0",
        ".nh",
        ".SH NAME",
        f"{esc(name)} \\- {esc(summary)}",
        ".SH SYNOPSIS",
        ".nf",
    ]
    out += [fmt_spec(u) for u in help_.usage] + [".fi", ".SH DESCRIPTION"]
    out += paragraphs(help_.paragraphs)
    for s in help_.sections:
        if s is not examples:
            out += [".SH " + esc(s.title.upper())] + section_body(s, link)
    out += extra_sections
    if examples:
        out += [".SH EXAMPLES"] + section_body(examples, link)
    out += [".SH SEE ALSO", ",\n".join(link(n) for n in see_also)] + list(more)
    return "\n".join(out) + "\n"


def man_pages(top, commands, helps, version):
    """{file name: text} for maptrace.1 and maptrace-CMD.1."""
    name = {c: "maptrace-" + c for c in commands}
    name["maptrace"] = "maptrace"

    def link(c):
        return f".BR {esc(name[c])} (1)" if c in name else bold(c)

    # maptrace.1: what is true of every command
    status = [".SH EXIT STATUS",
              text_line("0 on success, 1 when maptrace fails, 2 when it is used wrongly "
                        "(an unknown command or option, a missing or bad value). With "
                        "-- COMMAND, maptrace exits with the command's status when it "
                        "does not fail itself.")]
    with_status = [c for c in commands if helps[c].exit_status]
    if with_status:
        status.append(text_line("What else a command's exit status means: ") + ", ".join(
            f"\\fB{esc(name[c])}\\fR(1)" for c in with_status) + ".")
    from_pages = [c for c in commands if environment([helps[c]])]
    env = environment_section(environment(helps.values()), " See " + ", ".join(
        name[c] + "(1)" for c in from_pages) + "." if from_pages else "")
    readme = [".PP", text_line("README.md and docs/ in maptrace's source tree: how maptrace "
                               "works, the kernels it runs on, the JSON it writes.")]
    first = " ".join(top.paragraphs[0])
    summary = re.split(r"[:.]\s", first, maxsplit=1)[0]
    summary = summary[:1].lower() + summary[1:]
    pages = {"maptrace.1": page("maptrace", link, version, summary, top, status + env,
                                list(commands), readme)}
    for c in commands:
        h = helps[c]
        extra = [".SH EXIT STATUS"] + paragraphs(h.exit_status) if h.exit_status else []
        extra += environment_section(environment([h]))
        pages[name[c] + ".1"] = page(name[c], link, version, commands[c], h, extra,
                                     ["maptrace"] + [o for o in commands if o != c])
    return pages


# ---- completions ------------------------------------------------------------

@dataclass
class Values:
    """What an option's value can be, for both shells."""
    kind: str                 # "files", "pids", "words" or "none"
    words: list = field(default_factory=list)
    sep: str = ""             # "," where the value is a list (KIND[,KIND...])


def without_parentheses(text):
    while re.search(r"\([^()]*\)", text):
        text = re.sub(r"\s*\([^()]*\)", "", text)
    return text


def listed_choices(text):
    """"order of the table: addr (default), size, or swap" -> addr size swap"""
    text = without_parentheses(text).rsplit(":", 1)[-1].strip()
    choices = re.split(r"\s*,\s*(?:or\s+)?|\s+or\s+", text)
    if len(choices) >= 2 and all(re.fullmatch(r"[a-z][a-z0-9_-]*", c) for c in choices):
        return choices
    return []


def section_words(section):
    """The words of a list like Kinds: each item's name column, split."""
    return [w for item in section.items for w in item.spec.split()]


def values(option, help_):
    arg = option.arg or ""
    sep = "," if re.search(r"\[,", arg) else ""
    head = re.match(r"[A-Za-z]*", arg).group(0)
    listing = help_.section(head.capitalize() + "s") if head else None
    if "FILE" in arg or re.search(r"\.json\b", arg):
        return Values("files")
    if head == "PID":
        return Values("pids", sep=sep)
    if listing:
        return Values("words", section_words(listing), sep)
    if re.fullmatch(r"[a-z]+(\|[a-z]+)+", arg):
        return Values("words", arg.split("|"))
    choices = listed_choices(option.text)
    return Values("words", choices) if choices else Values("none")


def command_options(help_, top):
    """A command's options: its Options items, the ones its synopsis shows, and
    where the synopsis says TARGET, the items of maptrace --help's TARGET
    section; each name once."""
    opts = help_.options()
    targets = [o for s in top.sections if s.title.startswith("TARGET") and is_option_list(s)
               for i in s.items for o in parse_spec(i.spec, " ".join(i.text))]
    extra = [o for u in help_.usage for o in usage_options(u)]
    if any("TARGET" in u.split() for u in help_.usage):
        extra += targets
    seen = {n for o in opts for n in o.names}
    for o in extra:
        if not seen & set(o.names):
            known = next((t for t in targets if set(t.names) & set(o.names)), None)
            opts.append(Option(o.names, o.arg, known.text if known else o.text))
            seen |= set(o.names)
    return opts


BASH_HEAD = r'''# bash completion for maptrace(1): installed as
# share/bash-completion/completions/maptrace. Generated by
# docs/man/generate.py from maptrace's --help texts: do not edit.

# Complete $cur as an option's value: files, pids or one of the words
# after SEP; with SEP (","), as the last item of a list.
_maptrace_value()
{
	local what=$1 sep=$2 cur=$cur head=''
	shift 2
	if [ -n "$sep" ] && [[ $cur == *"$sep"* ]]; then
		head=${cur%"$sep"*}$sep
		cur=${cur##*"$sep"}
	fi
	case $what in
	files)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	pids)
		local pids=(/proc/[0-9]*)
		mapfile -t COMPREPLY < <(compgen -P "$head" -W "${pids[*]#/proc/}" -- "$cur") ;;
	words)
		mapfile -t COMPREPLY < <(compgen -P "$head" -W "$*" -- "$cur") ;;
	esac
}

_maptrace()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmd='' i j opts='' files=''
	COMPREPLY=()
	# bash splits "--kind=x" into --kind, = and x
	if [ "$cur" = = ]; then
		cur=
	elif [ "$prev" = = ] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD-2]}
	fi
	# the command: the first word that is not a global option or its value
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
@GLOBAL_WITH_VALUE@) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [ -z "$cmd" ]; then
		case $prev in
@GLOBAL_VALUES@
		esac
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "@GLOBAL_OPTIONS@" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "@COMMANDS@" -- "$cur")
		fi
		return
	fi
	# after "--": a command line of its own
	case $cmd in
	@TAKES_COMMAND@)
		for ((j = i + 1; j < COMP_CWORD; j++)); do
			[ "${COMP_WORDS[j]}" = -- ] || continue
			if declare -F _command_offset >/dev/null; then
				_command_offset $((j + 1))
			elif ((j + 1 == COMP_CWORD)); then
				mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			else
				_maptrace_value files ""
			fi
			return
		done ;;
	esac
	case $cmd in
'''

BASH_TAIL = r'''	*) return ;;
	esac
	if [[ $cur == -* ]] || [ -z "$files" ]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	else
		_maptrace_value files ""
	fi
}
complete -F _maptrace maptrace
'''


def bash_value_case(opts, help_, indent):
    """case arms on $prev: complete an option's value, or nothing where
    maptrace cannot guess it (a size, a count); one arm per action."""
    arms = {}
    for o in opts:
        if o.arg is None or o.names == ["--"]:
            continue
        v = values(o, help_)
        action = {"files": '_maptrace_value files ""',
                  "pids": f'_maptrace_value pids "{v.sep}"',
                  "words": f'_maptrace_value words "{v.sep}" {" ".join(v.words)}',
                  "none": ":"}[v.kind]
        arms.setdefault(action, []).extend(o.names)
    return [f"{indent}{'|'.join(names)}) {action}; return ;;" for action, names in arms.items()]


def global_options(top, commands, helps):
    """The options the top-level synopsis shows before COMMAND, with the
    value and text most commands give them."""
    out = []
    for o in (o for u in top.usage for o in usage_options(u)):
        same = [a for c in commands for a in helps[c].options() if set(a.names) & set(o.names)]
        text = Counter(a.text for a in same).most_common(1)
        out.append(Option(max((a.names for a in same), key=len, default=o.names),
                          o.arg or next((a.arg for a in same if a.arg), None),
                          text[0][0] if text else ""))
    return out


def bash(top, commands, helps):
    global_opts = global_options(top, commands, helps)
    takes_command = [c for c in commands if any(o.names == ["--"] for o in
                                                command_options(helps[c], top))]
    text = (BASH_HEAD
            .replace("@GLOBAL_WITH_VALUE@", "\t\t" + "|".join(n for o in global_opts if o.arg
                                                             for n in o.names))
            .replace("@GLOBAL_VALUES@", "\n".join(bash_value_case(global_opts, top, "\t\t")))
            .replace("@GLOBAL_OPTIONS@", " ".join(n for o in global_opts for n in o.names))
            .replace("@COMMANDS@", " ".join(commands))
            .replace("@TAKES_COMMAND@", "|".join(takes_command) or "''"))
    for c in commands:
        opts = command_options(helps[c], top)
        text += f"\t{c})\n\t\tcase $prev in\n"
        text += "\n".join(bash_value_case(opts, helps[c], "\t\t")) + "\n\t\tesac\n"
        names = [n for o in opts for n in o.names if n != "--"]
        text += f'\t\topts="{" ".join(names)}"\n'
        if positional_files(helps[c]):
            text += "\t\tfiles=1\n"
        text += "\t\t;;\n"
    return text + BASH_TAIL


def zq(s):
    """A zsh single-quoted word."""
    return "'" + s.replace("'", "'\\''") + "'"


def zsh_describe(text):
    """One clause of an option's text: no parentheses, up to a ';'."""
    text = without_parentheses(text).split(";")[0].strip().rstrip(":,")
    return text.replace("[", "(").replace("]", ")").replace("\\", "")


def zsh_spec(o, help_):
    """An _arguments spec: {-k,--kind}'[only regions of...]:kind:_values ...'"""
    if o.names == ["--"]:
        return None
    rep = "*" if "repeatable" in o.text else ""
    names = o.names[0] if len(o.names) == 1 else "{" + ",".join(o.names) + "}"
    spec = f"[{zsh_describe(o.text)}]"
    if o.arg:
        v = values(o, help_)
        msg = (re.match(r"[A-Z]*", o.arg).group(0) or o.names[-1].lstrip("-")).lower()
        if v.kind == "files":
            action = "_files"
        elif v.kind == "pids":
            action = "_sequence _pids" if v.sep else "_pids"
        elif v.kind == "words" and v.sep:
            action = f"_values -s {v.sep} {msg} " + " ".join(v.words)
        elif v.kind == "words":
            action = "(" + " ".join(v.words) + ")"
        else:
            action = " "
        spec += f":{msg}:{action}"
    return (zq(rep) if rep else "") + names + zq(spec)


def zsh(top, commands, helps):
    global_opts = global_options(top, commands, helps)
    out = [
        "#compdef maptrace",
        "# zsh completion for maptrace(1): installed as",
        "# share/zsh/vendor-completions/_maptrace. Generated by",
        "# docs/man/generate.py from maptrace's --help texts: do not edit.",
        "",
        "_maptrace() {",
        "\tlocal curcontext=$curcontext state line ret=1",
        # not "commands": that would hide zsh's $commands from _normal
        "\tlocal -a subcommands",
        "\tsubcommands=(",
    ]
    out += [f"\t\t{zq(c + ':' + zsh_describe(commands[c]))}" for c in commands]
    out += ["\t)", "\t_arguments -C \\"]
    out += [f"\t\t{zsh_spec(o, top)} \\" for o in global_opts]
    out += ["\t\t': :->command' \\", "\t\t'*:: :->args' && ret=0", "",
            "\tcase $state in",
            "\tcommand)",
            "\t\t_describe -t commands 'maptrace command' subcommands && ret=0 ;;",
            "\targs)",
            "\t\tcurcontext=${curcontext%:*:*}:maptrace-$words[1]:",
            "\t\tcase $words[1] in"]
    for c in commands:
        opts = command_options(helps[c], top)
        specs = [s for s in (zsh_spec(o, helps[c]) for o in opts) if s]
        if any(o.names == ["--"] for o in opts):
            specs.append("'*:::command:_normal'")  # after --: a command line
        elif positional_files(helps[c]):
            specs.append("'*:file:_files'")
        out += [f"\t\t{c})", "\t\t\t_arguments -s -S \\"]
        out += [f"\t\t\t\t{s} \\" for s in specs[:-1]] + [f"\t\t\t\t{specs[-1]} && ret=0 ;;"]
    out += ["\t\tesac ;;", "\tesac", "\treturn ret", "}", "", '_maptrace "$@"']
    return "\n".join(out) + "\n"


# ---- main -------------------------------------------------------------------

def run(cmd, *args):
    argv = cmd + list(args)
    try:
        r = subprocess.run(argv, capture_output=True, text=True)
    except OSError as e:
        sys.exit(f"generate.py: cannot run {argv[0]}: {e.strerror}")
    if r.returncode != 0 or not r.stdout.strip():
        sys.exit(f"generate.py: `{' '.join(argv)}` exited with status "
                 f"{r.returncode}: {r.stderr.strip() or 'no output'}")
    return r.stdout


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: docs/man/generate.py MANDIR COMPLETIONDIR [RUNNER...] MAPTRACE")
    mandir, compdir, maptrace = sys.argv[1], sys.argv[2], sys.argv[3:]
    version = run(maptrace, "--version").strip()
    top = parse_help(run(maptrace, "--help"))
    listing = top.section("Commands")
    if not listing or not listing.items:
        sys.exit("generate.py: `maptrace --help` lists no commands (no 'Commands:' section)")
    commands = {i.spec: " ".join(i.text) for i in listing.items}
    helps = {c: parse_help(run(maptrace, c, "--help")) for c in commands}
    for c, h in helps.items():
        if not h.usage or not h.options():
            sys.exit(f"generate.py: `maptrace {c} --help` has no 'Usage:' line or no options")
    os.makedirs(mandir, exist_ok=True)
    os.makedirs(compdir, exist_ok=True)
    files = {os.path.join(mandir, n): t for n, t in man_pages(top, commands, helps, version).items()}
    files[os.path.join(compdir, "maptrace.bash")] = bash(top, commands, helps)
    files[os.path.join(compdir, "_maptrace")] = zsh(top, commands, helps)
    for path, text in files.items():
        with open(path, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
