// SPDX-License-Identifier: GPL-2.0
// check-files.mjs - checks maptrace's export files against the formats
// they claim, with no viewer involved. Prints PASS/FAIL lines (run.sh counts
// them).
//
//   node check-files.mjs TAG TRACE_EVENT.json FOLDED.txt STAT.json WALL_NS
//
// TRACE_EVENT.json: the Trace Event Format that Perfetto documents
// (perfetto docs/getting-started/other-formats.md, "Chrome JSON format":
// Perfetto "aims to adhere to the Trace Event Format specification", the
// Google document "Trace Event Format" linked there; Perfetto's reader is
// src/trace_processor/importers/json/json_trace_parser_impl.cc). Quoted rules
// below are from that specification unless they name the Perfetto parser.
// FOLDED.txt: folded stacks as flamegraph.pl's stackcollapse scripts write
// them and speedscope reads them ("frame;frame;frame weight" per line).
// STAT.json: maptrace stat --json of the same run (docs/stat.md), used to
// cross-check the number of calls. WALL_NS: the run's wall time in ns, as
// run.sh measured it around maptrace, to check that ts is in microseconds.
import fs from 'node:fs';

const [tag, tePath, foldedPath, statPath, wallNsArg] = process.argv.slice(2);
let failed = false;
function report(name, problems) {
	if (problems.length === 0) {
		console.log(`PASS ${name}`);
		return;
	}
	failed = true;
	const more = problems.length > 8 ? ` (and ${problems.length - 8} more)` : '';
	console.log(`FAIL ${name}: ${problems.slice(0, 8).join('; ')}${more}`);
}

// Every phase the specification defines: duration B/E, complete X, instant
// i (and the deprecated I), counter C, async b/n/e (deprecated S/T/p/F),
// flow s/t/f, sample P, object N/O/D, metadata M, memory dump V/v, mark R,
// clock sync c, context ( and ).
const PHASES = new Set(['B', 'E', 'X', 'i', 'I', 'C', 'b', 'n', 'e', 'S', 'T', 'p', 'F',
	's', 't', 'f', 'P', 'N', 'O', 'D', 'M', 'V', 'v', 'R', 'c', '(', ')']);
// "Metadata Events": the names the specification lists.
const METADATA = new Set(['process_name', 'process_labels', 'process_sort_index',
	'thread_name', 'thread_sort_index']);
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v) => Number.isInteger(v) && v >= 0;
const num = (v) => typeof v === 'number' && Number.isFinite(v);

// ---- trace-event: the specification's rules --------------------------------
let doc = null;
{
	const p = [];
	try {
		doc = JSON.parse(fs.readFileSync(tePath, 'utf8'));
	} catch (e) {
		p.push(`not JSON: ${e.message}`);
	}
	if (doc !== null) {
		// "JSON Object Format": an object whose traceEvents is the array of
		// events; displayTimeUnit, if given, "supports values of ms or ns".
		if (!isObj(doc)) p.push('top level is not an object (JSON Object Format)');
		else if (!Array.isArray(doc.traceEvents)) p.push('no traceEvents array');
		else if (doc.traceEvents.length === 0) p.push('traceEvents is empty');
		if (isObj(doc) && 'displayTimeUnit' in doc && !['ms', 'ns'].includes(doc.displayTimeUnit))
			p.push(`displayTimeUnit ${JSON.stringify(doc.displayTimeUnit)} is neither "ms" nor "ns"`);
	}
	const events = isObj(doc) && Array.isArray(doc.traceEvents) ? doc.traceEvents : [];
	events.forEach((e, i) => {
		const at = `traceEvents[${i}]`;
		if (!isObj(e)) { p.push(`${at} is not an object`); return; }
		// "Event Descriptions": name, ph (one character), ts in microseconds,
		// pid and tid; cat is a string, args an object.
		if (typeof e.name !== 'string' || e.name === '') p.push(`${at}: name missing`);
		if (!PHASES.has(e.ph)) p.push(`${at}: ph ${JSON.stringify(e.ph)} is not a phase of the format`);
		if (!num(e.ts) || e.ts < 0) p.push(`${at}: ts ${JSON.stringify(e.ts)} is not a non-negative number of microseconds`);
		if (!isInt(e.pid)) p.push(`${at}: pid ${JSON.stringify(e.pid)} is not an integer`);
		if (!isInt(e.tid)) p.push(`${at}: tid ${JSON.stringify(e.tid)} is not an integer`);
		if ('cat' in e && typeof e.cat !== 'string') p.push(`${at}: cat is not a string`);
		if ('args' in e && !isObj(e.args)) p.push(`${at}: args is not an object`);
		switch (e.ph) {
		case 'C':
			// "Counter Events": "each key/value pair in args is a series" whose
			// value is numeric (Perfetto's parser counts a json_parser_failure for
			// a value that is neither a number nor a numeric string).
			if (!isObj(e.args) || Object.keys(e.args).length === 0) p.push(`${at}: counter without args`);
			else for (const [k, v] of Object.entries(e.args))
				if (!num(v)) p.push(`${at}: counter series ${k} = ${JSON.stringify(v)} is not a number`);
			break;
		case 'i': case 'I':
			// "Instant Events": s is the scope, "g" global, "p" process, "t"
			// thread (the default); Perfetto rejects any other value.
			if (!('s' in e)) p.push(`${at}: instant without s (scope)`);
			else if (!['g', 'p', 't'].includes(e.s)) p.push(`${at}: instant scope ${JSON.stringify(e.s)} not g/p/t`);
			break;
		case 'M':
			// "Metadata Events": one of the listed names; process_name and
			// thread_name carry args.name (Perfetto reads value["args"]["name"]).
			if (!METADATA.has(e.name)) p.push(`${at}: metadata name ${JSON.stringify(e.name)} not in the format`);
			if ((e.name === 'process_name' || e.name === 'thread_name') &&
			    !(isObj(e.args) && typeof e.args.name === 'string' && e.args.name !== ''))
				p.push(`${at}: ${e.name} without args.name`);
			break;
		case 'X':
			// "Complete Events": dur in microseconds.
			if (!num(e.dur) || e.dur < 0) p.push(`${at}: complete event without a dur`);
			break;
		}
	});
	report(`trace-event-format-${tag}`, p);

	// ---- trace-event: what maptrace's docs and user/out/export.c promise --------
	const q = [];
	const stat = JSON.parse(fs.readFileSync(statPath, 'utf8'));
	const wallNs = Number(wallNsArg);
	const timed = events.filter((e) => isObj(e) && e.ph !== 'M' && num(e.ts));
	const pids = new Set(events.filter((e) => isObj(e) && e.ph !== 'M').map((e) => e.pid));
	const named = new Map(events.filter((e) => isObj(e) && e.ph === 'M' && e.name === 'process_name')
		.map((e) => [e.pid, e.args && e.args.name]));
	for (const pid of pids) if (!named.has(pid)) q.push(`pid ${pid} has events but no process_name`);
	// one "memory" counter track per process with both series
	for (const pid of pids) {
		const c = events.filter((e) => e.ph === 'C' && e.pid === pid && e.name === 'memory');
		if (c.length === 0) q.push(`pid ${pid}: no "memory" counter`);
		else if (!c.every((e) => num(e.args.mapped_bytes) && num(e.args.anonymous_bytes)))
			q.push(`pid ${pid}: a "memory" counter lacks mapped_bytes or anonymous_bytes`);
	}
	// one "X" span per call (entry to exit), named by the syscall: the same
	// count per kind as stat's calls (docs/stat.md: every call, as strace -f
	// lists them), failed calls in category "failed"
	const perKind = {};
	for (const e of events)
		if (e.ph === 'X' && (e.cat === 'mapping' || e.cat === 'failed')) perKind[e.name] = (perKind[e.name] || 0) + 1;
	for (const [kind, n] of Object.entries(stat.total.calls))
		if ((perKind[kind] || 0) !== n) q.push(`${kind}: ${perKind[kind] || 0} spans, stat counted ${n} calls`);
	for (const e of events)
		if (e.ph === 'X' && !(num(e.dur) && e.dur >= 0)) { q.push(`span ${e.name} without a duration`); break; }
	// fork/exec/exit are instants carrying the decoded event
	for (const e of events)
		if (e.ph === 'i' && !(isObj(e.args) && e.args.kind === e.name)) { q.push(`instant ${e.name} without its decoded event in args`); break; }
	// ts is in microseconds: every timestamp (µs from maptrace's start) fits
	// in the wall time of the whole maptrace run; in ns it would be 1000x over
	if (timed.length === 0) q.push('no timed events');
	else {
		const maxUs = Math.max(...timed.map((e) => e.ts));
		if (!(wallNs > 0) || maxUs * 1000 > wallNs)
			q.push(`largest ts ${maxUs} us is past the run's wall time ${wallNs} ns: ts is not in microseconds`);
		if (Math.max(...timed.map((e) => e.ts)) === Math.min(...timed.map((e) => e.ts)))
			q.push('all timestamps equal');
	}
	report(`trace-event-content-${tag}`, q);
}

// ---- folded stacks ------------------------------------------------------------
{
	const p = [];
	const text = fs.readFileSync(foldedPath, 'utf8');
	const lines = text.split('\n');
	if (lines.pop() !== '') p.push('last line does not end with a newline');
	if (lines.length === 0) p.push('no stacks');
	lines.forEach((l, i) => {
		// "frame;frame;frame weight": the weight after the last space, frames
		// separated by ';', no empty frame (speedscope: /^(.*) (\d+)$/, split(';'))
		const m = /^(\S+) ([1-9][0-9]*)$/.exec(l);
		if (!m) { p.push(`line ${i + 1} is not "frames weight": ${JSON.stringify(l)}`); return; }
		const frames = m[1].split(';');
		if (frames.some((f) => f === '')) p.push(`line ${i + 1}: empty frame`);
		// maptrace's stacks: process;call;file (user/out/export.c)
		if (frames.length !== 3 || frames[1] !== 'mmap') p.push(`line ${i + 1}: not process;mmap;file`);
	});
	if (new Set(lines.map((l) => l.replace(/ \d+$/, ''))).size !== lines.length)
		p.push('a stack appears on two lines');
	report(`folded-format-${tag}`, p);
}
process.exit(failed ? 1 : 0);
