// SPDX-License-Identifier: GPL-2.0
// report.mjs - opens maptrace's HTML reports (explain --html) in headless
// Chromium and checks what a person sees against the JSON document the same
// run printed (explain --json --html: one snapshot, two forms). Prints
// PASS/FAIL/SKIP lines (report.sh counts them) and keeps a screenshot of
// each page.
//
//   node report.mjs OUTDIR TAG:HTML:JSON ...
//
// Per report TAG of explain (stat's pages: offline, figures, timeline and
// table, checked by checkStat below):
//   report-TAG-offline   the page loads from a file and asks for nothing
//                        else: no request but the page itself (file://, no
//                        network at view time)
//   report-TAG-figures   the header's totals, every row of the summary by
//                        kind, and the treemap's total are the JSON's
//                        figures, exactly (data-value attributes)
//   report-TAG-tiles     the treemap stays within its tile budget, and its
//                        tiles (regions and "N more") add up to the total
//   report-TAG-hover     hovering the largest region's tile shows its range,
//                        kind and description; for a traced run, hovering a
//                        traced region's tile shows its creating stack
//   report-TAG-table     sorting the summary by regions puts the kind with
//                        the most first; filtering by one region's address
//                        leaves that region alone
//   report-TAG-timeline  a traced command's page draws every point of the
//                        JSON's timeline (a mark each), marks its peak (the JSON's peak
//                        virtual size), and a click on the peak shows its
//                        call and the first function of its stack; a page
//                        without a timeline draws none
// It also prints how long each page took to become interactive (measured,
// not asserted: timed assertions do not belong in tests).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(path.join(here, 'node_modules/playwright-core/index.mjs'));
const [outDir, ...specs] = process.argv.slice(2);
const TILE_BUDGET = 1500; // report.js: region tiles (at least one a kind), plus one "N more" per kind

const pass = (n, why = '') => console.log(`PASS ${n}${why ? ` (${why})` : ''}`);
const fail = (n, why) => console.log(`FAIL ${n}: ${why}`);

const browser = await chromium.launch({
	executablePath: '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});

let stage = 'offline'; // the check under way, named by a failure that stops it

// Open a page from its file, wait until it is drawn, keep a screenshot and
// check it asked for nothing else (report-TAG-offline); null if it never
// became ready (the offline check has failed then).
async function open(tag, htmlFile, what) {
	const url = pathToFileURL(path.resolve(htmlFile)).href;
	const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
	const requests = [];
	const errors = [];
	page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
	page.on('pageerror', (e) => errors.push(String(e)));
	stage = 'offline';
	await page.goto(url, { waitUntil: 'load', timeout: 60000 });
	try {
		await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 });
	} catch (e) {
		fail(`report-${tag}-offline`, `the page never became ready: ${errors.join('; ') || e.message}`);
		await page.close();
		return null;
	}
	const readyMs = await page.evaluate(() => window.mtReadyMs);
	console.log(`report ${tag}: ${what}, interactive after ${Math.round(readyMs)} ms`);
	await page.screenshot({ path: path.join(outDir, `report-${tag}.png`), fullPage: true });
	if (requests.length || errors.length)
		fail(`report-${tag}-offline`, `requests: ${requests.slice(0, 3).join(' ')}; errors: ${errors.slice(0, 2).join('; ')}`);
	else
		pass(`report-${tag}-offline`, 'no request but the page');
	return page;
}

// A timeline as drawn: its call marks, the changes it says it saw, its
// peak's value; null when the page has none.
function timelineDrawn(page) {
	return page.evaluate(() => {
		const t = document.getElementById('timeline');
		const peak = document.getElementById('peak');
		return t ? { points: t.querySelectorAll('g[data-role="calls"] line').length, calls: Number(t.dataset.calls),
			peak: peak ? Number(peak.dataset.value) : null } : null;
	});
}

// Click the timeline's peak: the call it shows, its stack's text, its vm.
async function peakClicked(page) {
	await page.click('#peak text');
	return page.evaluate(() => {
		const d = document.getElementById('call-details');
		const f = (n) => { const e = d.querySelector(`[data-field="${n}"]`); return e ? e.textContent : ''; };
		const vm = d.querySelector('[data-figure="call.vm"]');
		return { call: f('call'), stack: f('stack'), vm: vm ? Number(vm.dataset.value) : null };
	});
}

async function check(tag, htmlFile, jsonFile) {
	const doc = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
	const page = await open(tag, htmlFile, `${doc.regions.length} regions`);
	if (!page) return;

	// ---- figures
	stage = 'figures';
	const shown = await page.evaluate(() => {
		const fig = (sel) => Object.fromEntries([...document.querySelectorAll(sel)].map(
			(e) => [e.dataset.figure, Number(e.dataset.value)]));
		return {
			header: fig('header [data-figure]'),
			summary: [...document.querySelectorAll('#summary tr[data-kind]')].map((tr) => ({
				kind: tr.dataset.kind, ...fig(`#summary tr[data-kind="${tr.dataset.kind}"] [data-figure]`),
			})),
			total: Number(document.getElementById('treemap').dataset.total),
		};
	});
	const diffs = [];
	for (const k of ['regions', 'size', 'committed', 'rss', 'pss', 'swap'])
		if (shown.header[`total.${k}`] !== doc.total[k]) diffs.push(`total ${k}: page ${shown.header[`total.${k}`]}, JSON ${doc.total[k]}`);
	if (shown.summary.length !== doc.summary.length) diffs.push(`summary rows: page ${shown.summary.length}, JSON ${doc.summary.length}`);
	for (const s of doc.summary) {
		const row = shown.summary.find((r) => r.kind === s.kind);
		if (!row) { diffs.push(`no summary row for ${s.kind}`); continue; }
		for (const k of ['regions', 'size', 'committed', 'rss', 'pss', 'swap'])
			if (row[k] !== s[k]) diffs.push(`${s.kind} ${k}: page ${row[k]}, JSON ${s[k]}`);
	}
	const rssSum = doc.regions.reduce((n, r) => n + r.rss, 0);
	if (shown.total !== rssSum) diffs.push(`treemap total ${shown.total}, regions' RSS ${rssSum}`);
	if (diffs.length) fail(`report-${tag}-figures`, diffs.slice(0, 4).join('; '));
	else pass(`report-${tag}-figures`, `${doc.summary.length} kinds, RSS ${doc.total.rss} as the JSON says`);

	// ---- tiles
	stage = 'tiles';
	const tiles = await page.evaluate(() => {
		const all = [...document.querySelectorAll('#treemap .tile')];
		return { n: all.length, more: all.filter((t) => t.dataset.more).length,
			sum: all.reduce((s, t) => s + Number(t.dataset.value), 0) };
	});
	if (tiles.n > TILE_BUDGET + 2 * doc.summary.length || tiles.sum !== rssSum)
		fail(`report-${tag}-tiles`, `${tiles.n} tiles (${tiles.more} "more") adding up to ${tiles.sum}, RSS ${rssSum}`);
	else
		pass(`report-${tag}-tiles`, `${tiles.n} tiles for ${doc.regions.length} regions, ${tiles.more} of them "N more"`);

	// ---- hover
	stage = 'hover';
	const hoverFails = [];
	const biggest = doc.regions.reduce((b, r, i) => (r.rss > doc.regions[b].rss ? i : b), 0);
	const hovered = async (index) => {
		await page.hover(`#treemap .tile[data-index="${index}"]`);
		return page.evaluate(() => {
			const d = document.getElementById('details');
			const f = (n) => { const e = d.querySelector(`[data-field="${n}"]`); return e ? e.textContent : null; };
			return { range: f('range'), kind: f('kind'), description: f('description'),
				origin: [...d.querySelectorAll('[data-field="origin"]')].map((e) => e.textContent).join('\n') };
		});
	};
	const r0 = doc.regions[biggest];
	const h0 = await hovered(biggest);
	await page.screenshot({ path: path.join(outDir, `report-${tag}-hover.png`) });
	if (h0.range !== `${r0.start}-${r0.end}` || h0.kind !== r0.kind || h0.description !== r0.description)
		hoverFails.push(`largest region: shown ${JSON.stringify(h0)}`);
	const traced = doc.regions.map((r, i) => [r, i]).filter(([r]) => r.origins && r.origins.length && r.origins[0].stack.length);
	let originLine = '';
	if (traced.length) {
		// by virtual size, where the traced regions are large enough to get a tile
		await page.check('input[name="measure"][value="size"]');
		const withTile = await page.evaluate((idx) => idx.filter(
			(i) => document.querySelector(`#treemap .tile[data-index="${i}"]`)), traced.map(([, i]) => i));
		if (!withTile.length) {
			hoverFails.push(`none of ${traced.length} traced regions has a tile`);
		} else {
			const r = doc.regions[withTile[0]];
			const h = await hovered(withTile[0]);
			const fn = r.origins[0].stack.find((f) => f.function);
			if (!fn || !h.origin.includes(fn.function) || !h.origin.includes(`created by ${r.origins[0].call}`))
				hoverFails.push(`traced region ${r.start}: origin shown "${h.origin.slice(0, 120)}"`);
			else
				originLine = `, traced region ${r.start}'s stack (${fn.function})`;
		}
		await page.check('input[name="measure"][value="rss"]');
	}
	if (hoverFails.length) fail(`report-${tag}-hover`, hoverFails.join('; '));
	else pass(`report-${tag}-hover`, `largest region ${r0.start}-${r0.end} ${r0.kind}${originLine}`);

	// ---- table: sort, filter
	stage = 'table';
	const tableFails = [];
	await page.click('#summary th[data-key="regions"]');
	const firstKind = await page.evaluate(() => document.querySelector('#summary tr[data-kind]').dataset.kind);
	const most = Math.max(...doc.summary.map((s) => s.regions));
	if (doc.summary.find((s) => s.kind === firstKind).regions !== most)
		tableFails.push(`sorted by regions, ${firstKind} is first, not a kind with ${most}`);
	const target = doc.regions[doc.regions.length >> 1];
	await page.fill('#filter', target.start);
	const matched = await page.evaluate(() => ({
		n: Number(document.getElementById('regions-note').dataset.matched),
		rows: [...document.querySelectorAll('#regions tr[data-index]')].map((tr) => Number(tr.dataset.index)),
	}));
	// the page's rule: the text in the range, kind, name or description
	const q = target.start;
	const want = doc.regions.filter((r) => r.start.includes(q) || r.end.includes(q) || r.kind.includes(q) ||
		(r.name || '').toLowerCase().includes(q) || (r.description || '').toLowerCase().includes(q)).length;
	if (matched.n !== want || !matched.rows.includes(doc.regions.indexOf(target)))
		tableFails.push(`filter ${target.start}: ${matched.n} matched (want ${want}), rows ${matched.rows.slice(0, 3)}`);
	await page.screenshot({ path: path.join(outDir, `report-${tag}-filtered.png`) });
	if (tableFails.length) fail(`report-${tag}-table`, tableFails.join('; '));
	else pass(`report-${tag}-table`, `${firstKind} first by regions; filter ${target.start}: ${matched.n} match`);

	// ---- timeline
	stage = 'timeline';
	const drawn = await timelineDrawn(page);
	const tl = doc.timeline;
	if (!tl || !tl.calls) {
		if (drawn) fail(`report-${tag}-timeline`, `a timeline drawn with no timeline in the JSON: ${JSON.stringify(drawn)}`);
		else pass(`report-${tag}-timeline`, 'none: not traced from the start');
	} else if (!drawn || drawn.points !== tl.points.length || drawn.calls !== tl.calls || drawn.peak !== tl.peak.vm) {
		fail(`report-${tag}-timeline`, `drawn ${JSON.stringify(drawn)}; JSON ${tl.points.length} points of ${tl.calls} calls, peak ${tl.peak.vm}`);
	} else {
		const shown = await peakClicked(page);
		const frames = tl.peak.stack ? tl.stacks[String(tl.peak.stack)] : null;
		const fn = frames && frames.find((f) => f.function);
		await page.screenshot({ path: path.join(outDir, `report-${tag}-timeline.png`), fullPage: true });
		if (shown.call !== tl.peak.call || shown.vm !== tl.peak.vm || (fn && !shown.stack.includes(fn.function)))
			fail(`report-${tag}-timeline`, `the peak's call shown as ${JSON.stringify(shown).slice(0, 200)}`);
		else
			pass(`report-${tag}-timeline`, `${tl.points.length} points of ${tl.calls} calls, peak ${tl.peak.vm} by ${tl.peak.call}${fn ? ` in ${fn.function}` : ''}`);
	}
	await page.close();
}

// stat --html: the run's figures and the processes' against the JSON; the
// timeline's peak is the run's peak virtual size; sorting the processes.
async function checkStat(tag, htmlFile, jsonFile) {
	const doc = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
	const page = await open(tag, htmlFile, `${doc.processes.length} processes`);
	if (!page) return;

	stage = 'figures';
	const shown = await page.evaluate(() => {
		const fig = (root) => Object.fromEntries([...root.querySelectorAll('[data-figure]')].map(
			(e) => [e.dataset.figure, Number(e.dataset.value)]));
		return {
			header: fig(document.querySelector('header')),
			calls: Object.fromEntries([...document.querySelectorAll('#calls tr[data-kind]')].map((tr) => [tr.dataset.kind, fig(tr)])),
			procs: Object.fromEntries([...document.querySelectorAll('#processes tr[data-pid]')].map((tr) => [tr.dataset.pid, fig(tr)])),
		};
	});
	const diffs = [];
	const figs = ['bytes_mapped', 'bytes_unmapped', 'churn_bytes', 'peak_vm_bytes', 'final_vm_bytes',
		'peak_anon_bytes', 'final_anon_bytes', 'final_mappings'];
	const sum = (f) => Object.values(f.calls).reduce((a, b) => a + b, 0);
	for (const k of figs)
		if (shown.header[`total.${k}`] !== doc.total[k]) diffs.push(`total ${k}: page ${shown.header[`total.${k}`]}, JSON ${doc.total[k]}`);
	if (shown.header['total.calls'] !== sum(doc.total)) diffs.push(`calls: page ${shown.header['total.calls']}, JSON ${sum(doc.total)}`);
	for (const [k, n] of Object.entries(doc.total.calls)) {
		const row = shown.calls[k];
		if (n && (!row || row.calls !== n || row.failed !== doc.total.failed[k])) diffs.push(`${k}: page ${JSON.stringify(row)}, JSON ${n}`);
	}
	for (const p of doc.processes) {
		const row = shown.procs[String(p.pid)];
		if (!row) { diffs.push(`no row for pid ${p.pid}`); continue; }
		for (const k of figs) if (row[k] !== p.figures[k]) diffs.push(`pid ${p.pid} ${k}: page ${row[k]}, JSON ${p.figures[k]}`);
		if (row.calls !== sum(p.figures)) diffs.push(`pid ${p.pid} calls: page ${row.calls}`);
	}
	if (diffs.length) fail(`report-${tag}-figures`, diffs.slice(0, 4).join('; '));
	else pass(`report-${tag}-figures`, `${sum(doc.total)} calls, ${doc.processes.length} processes as the JSON says`);

	stage = 'timeline';
	const tl = doc.timeline;
	const drawn = await timelineDrawn(page);
	if (!tl || !drawn || drawn.points !== tl.points.length || drawn.calls !== tl.calls ||
	    drawn.peak !== tl.peak.vm || tl.peak.vm !== doc.total.peak_vm_bytes)
		fail(`report-${tag}-timeline`, `drawn ${JSON.stringify(drawn)}; JSON ${tl && tl.points.length} points, peak ${tl && tl.peak && tl.peak.vm}, run's peak ${doc.total.peak_vm_bytes}`);
	else {
		const shown = await peakClicked(page);
		if (shown.call !== tl.peak.call || shown.vm !== tl.peak.vm)
			fail(`report-${tag}-timeline`, `the peak's call shown as ${JSON.stringify(shown)}`);
		else
			pass(`report-${tag}-timeline`, `${tl.points.length} points drawn, peak ${tl.peak.vm} by ${tl.peak.call}: the run's peak virtual size`);
	}

	stage = 'table';
	await page.click('#processes th[data-key="calls"]');
	const first = await page.evaluate(() => Number(document.querySelector('#processes tr[data-pid]').dataset.pid));
	const most = Math.max(...doc.processes.map((p) => sum(p.figures)));
	const fp = doc.processes.find((p) => p.pid === first);
	if (!fp || sum(fp.figures) !== most) fail(`report-${tag}-table`, `sorted by calls, pid ${first} is first, not one with ${most}`);
	else pass(`report-${tag}-table`, `pid ${first} (${fp.comm}, ${most} calls) first by calls`);
	await page.close();
}

for (const spec of specs) {
	const [tag, html, json] = spec.split(':');
	try {
		if (JSON.parse(fs.readFileSync(json, 'utf8')).schema === 'maptrace-stat')
			await checkStat(tag, html, json);
		else
			await check(tag, html, json);
	} catch (e) {
		fail(`report-${tag}-${stage}`, `the check stopped: ${e.message.split('\n')[0]}`);
	}
}
await browser.close();
