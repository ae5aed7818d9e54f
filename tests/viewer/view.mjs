// SPDX-License-Identifier: GPL-2.0
// view.mjs - opens maptrace's export files in speedscope (the npm package's
// built app, served from this machine) under headless Chromium, takes a
// screenshot of each view and checks what a person would see. Prints
// PASS/FAIL/SKIP lines (run.sh counts them).
//
//   node view.mjs OUTDIR TAG:folded:FILE TAG:te:FILE ...
//
// speedscope loads a profile from the URL given as #profileURL=... in the
// page's hash; #view=left-heavy|sandwich|time-ordered picks the view
// (node_modules/speedscope/dist/release/speedscope-*.js: the hash parser
// reads profileURL, title, localProfilePath and view; profileURL is honoured
// only for an http: or https: page, hence the local server).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(path.join(here, 'node_modules/playwright-core/index.mjs'));
const release = path.join(here, 'node_modules/speedscope/dist/release');
const [outDir, ...specs] = process.argv.slice(2);
const LOAD_TIMEOUT_MS = 30000;
const DRAW_TIMEOUT_MS = 5000; // a drawn view on a busy machine

let failed = false;
const pass = (n, why = '') => console.log(`PASS ${n}${why ? `: ${why}` : ''}`);
const fail = (n, why) => { failed = true; console.log(`FAIL ${n}: ${why}`); };
const skip = (n, why) => console.log(`SKIP ${n}: ${why}`);

// ---- the files, and the local server ------------------------------------------
const profiles = new Map(); // URL name -> path
const jobs = specs.map((s) => {
	const m = /^([^:]+):(folded|te):(.+)$/.exec(s);
	if (!m) throw new Error(`bad argument ${s}: want TAG:folded:FILE or TAG:te:FILE`);
	const [, tag, kind, file] = m;
	profiles.set(path.basename(file), file);
	return { tag, kind, file, name: path.basename(file) };
});
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css',
	'.wasm': 'application/wasm', '.woff2': 'font/woff2', '.png': 'image/png',
	'.ico': 'image/x-icon', '.json': 'application/json', '.txt': 'text/plain' };
const fetched = new Set();
const server = http.createServer((req, res) => {
	const p = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
	let file = null;
	if (p.startsWith('/profiles/') && profiles.has(p.slice(10))) {
		file = profiles.get(p.slice(10));
		fetched.add(p.slice(10));
	} else if (p.startsWith('/speedscope/')) {
		const rel = p.slice(12) || 'index.html';
		if (!rel.includes('..') && !rel.includes('/')) file = path.join(release, rel);
	}
	if (!file || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
	res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
	fs.createReadStream(file).pipe(res);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}`;

// ---- PNG decoding (8-bit RGB/RGBA, as Chromium writes screenshots) -------------
function decodePng(buf) {
	let pos = 8, width = 0, height = 0, ctype = 0;
	const idat = [];
	while (pos < buf.length) {
		const len = buf.readUInt32BE(pos), type = buf.toString('latin1', pos + 4, pos + 8);
		const data = buf.subarray(pos + 8, pos + 8 + len);
		if (type === 'IHDR') {
			width = data.readUInt32BE(0); height = data.readUInt32BE(4);
			if (data[8] !== 8 || (data[9] !== 2 && data[9] !== 6) || data[12] !== 0)
				throw new Error('PNG is not 8-bit RGB(A), non-interlaced');
			ctype = data[9];
		} else if (type === 'IDAT') idat.push(data);
		pos += 12 + len;
	}
	const bpp = ctype === 6 ? 4 : 3, stride = width * bpp;
	const raw = zlib.inflateSync(Buffer.concat(idat));
	const px = Buffer.alloc(stride * height);
	for (let y = 0; y < height; y++) {
		const f = raw[y * (stride + 1)], src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
		const row = px.subarray(y * stride, (y + 1) * stride), up = y ? px.subarray((y - 1) * stride, y * stride) : null;
		for (let x = 0; x < stride; x++) {
			const a = x >= bpp ? row[x - bpp] : 0, b = up ? up[x] : 0, c = up && x >= bpp ? up[x - bpp] : 0;
			let v = src[x];
			if (f === 1) v += a;
			else if (f === 2) v += b;
			else if (f === 3) v += (a + b) >> 1;
			else if (f === 4) {
				const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
				v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
			}
			row[x] = v & 255;
		}
	}
	return { width, height, bpp, px };
}
// Share of the pixels below speedscope's toolbar (20 px) that have colour:
// the flame graph's frames are pastel colours; the background is white and
// the grid, rulers and text are grey or black.
function colouredPixels(png) {
	const { width, height, bpp, px } = decodePng(png);
	let n = 0, total = 0;
	for (let y = 24; y < height; y++)
		for (let x = 0; x < width; x++) {
			const i = (y * width + x) * bpp;
			const r = px[i], g = px[i + 1], b = px[i + 2];
			total++;
			if (Math.max(r, g, b) - Math.min(r, g, b) > 12) n++;
		}
	return { n, total };
}
function colouredShare(png) {
	const { n, total } = colouredPixels(png);
	return n / total;
}
// A drawn span is at least one pixel wide and a row (about 16 px) high: a
// chart with fewer coloured pixels shows nothing. (How much of a time-order
// chart is coloured is the share of the run its calls took: mapping calls
// last microseconds, and a run slowed by a loaded machine thins them out
// without anything being wrong, so no share is asked of it.)
const DRAWN_MIN_PIXELS = 16;

// ---- the expected figures, from the files themselves ----------------------------
function readFolded(file) {
	// the lines speedscope's parser takes (/^(.*) (\d+)$/); check-files.mjs
	// fails the file if any line is not of that form
	const stacks = fs.readFileSync(file, 'utf8').split('\n').map((l) => /^(.*) (\d+)$/.exec(l))
		.filter(Boolean).map((m) => ({ frames: m[1].split(';'), weight: Number(m[2]) }));
	const total = new Map(), self = new Map(), roots = new Map();
	for (const s of stacks) {
		for (const f of new Set(s.frames)) total.set(f, (total.get(f) || 0) + s.weight);
		const leaf = s.frames[s.frames.length - 1];
		self.set(leaf, (self.get(leaf) || 0) + s.weight);
		roots.set(s.frames[0], (roots.get(s.frames[0]) || 0) + s.weight);
	}
	return { total, self, roots };
}
const fmt = (n) => n.toLocaleString('en-US');

// ---- one page: load, wait until speedscope has shown something, screenshot ------
const browser = await chromium.launch({
	executablePath: '/usr/bin/chromium',
	headless: true, // Playwright adds --headless, --no-sandbox and its own temporary --user-data-dir
	args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
		'--disable-component-update', '--disable-sync'],
});

async function open(job, view, shot) {
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-US' });
	const page = await ctx.newPage();
	const seen = { console: [], dialogs: [], errors: [], outside: [] };
	// nothing but this machine's server: the viewer must work offline
	await ctx.route('**/*', (route) => {
		const u = route.request().url();
		if (u.startsWith(base + '/')) return route.continue();
		seen.outside.push(u);
		return route.abort();
	});
	page.on('console', (m) => seen.console.push(m.text()));
	page.on('pageerror', (e) => seen.errors.push(e.message));
	page.on('dialog', (d) => { seen.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
	const url = `${base}/speedscope/index.html#profileURL=${encodeURIComponent(`${base}/profiles/${job.name}`)}` +
		(view ? `&view=${view}` : '');
	const t0 = Date.now();
	await page.goto(url);
	let text = '', state = 'timeout';
	while (Date.now() - t0 < LOAD_TIMEOUT_MS) {
		text = await page.evaluate(() => document.body.innerText);
		if (seen.dialogs.length) { state = 'dialog'; break; }
		if (/Something went wrong/.test(text) || seen.console.some((c) => c.startsWith('Failed to load format'))) { state = 'error'; break; }
		// the view tabs appear only once a profile is shown
		if (/Left Heavy/.test(text) && /Sandwich/.test(text)) { state = 'shown'; break; }
		await page.waitForTimeout(100);
	}
	if (state === 'dialog') await page.waitForTimeout(300); // the landing page comes back
	// let the WebGL frame be drawn before the screenshot; on a loaded
	// machine it may come late: look again, up to DRAW_TIMEOUT_MS, while
	// the screenshot is still blank (a chart's spans are thin: any colour)
	await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
	await page.waitForTimeout(300);
	let png = await page.screenshot({ path: path.join(outDir, shot) });
	for (const t1 = Date.now(); state === 'shown' && colouredPixels(png).n < DRAWN_MIN_PIXELS &&
		Date.now() - t1 < DRAW_TIMEOUT_MS;) {
		await page.waitForTimeout(250);
		png = await page.screenshot({ path: path.join(outDir, shot) });
	}
	text = await page.evaluate(() => document.body.innerText);
	const title = state === 'shown'
		? await page.evaluate(() => {
			// the toolbar: the view tabs, the profile's name, Export/Import/...
			const tabs = [...document.querySelectorAll('div')].find((d) => d.children.length === 3 &&
				/Time Order/.test(d.children[0].innerText) && /Sandwich/.test(d.children[2].innerText));
			if (!tabs) return null;
			const bar = tabs.parentElement;
			return [...bar.childNodes].filter((n) => n !== tabs && n !== bar.lastElementChild)
				.map((n) => (n.nodeType === 1 ? n.innerText : n.textContent)).join('').trim();
		})
		: null;
	return { page, ctx, seen, state, text, png, title, ms: Date.now() - t0, shot: path.join(outDir, shot) };
}
// problems any page may show
function troubles(r) {
	const t = [];
	if (r.seen.outside.length) t.push(`speedscope tried to reach ${r.seen.outside[0]}`);
	if (r.seen.errors.length) t.push(`page error: ${r.seen.errors[0]}`);
	if (/Something went wrong/.test(r.text)) t.push('speedscope shows "Something went wrong"');
	const f = r.seen.console.find((c) => c.startsWith('Failed to load format'));
	if (f) t.push(`console: ${f}`);
	return t;
}
const importer = (r) => (r.seen.console.find((c) => c.startsWith('Importing as')) || 'no "Importing as" message');

// ---- folded stacks ----------------------------------------------------------------
async function checkFolded(job) {
	const want = readFolded(job.file);
	if (want.roots.size === 0) {
		fail(`speedscope-${job.tag}-folded`, `${job.file} holds no "frames weight" line to view`);
		return;
	}
	const [root, rootTotal] = [...want.roots].sort((a, b) => b[1] - a[1])[0];

	// (1) the flame graph ("Left Heavy": stacks merged, heaviest first)
	let name = `speedscope-${job.tag}-folded-flamegraph`;
	let r = await open(job, 'left-heavy', `${job.tag}-folded-left-heavy.png`);
	try {
		const p = troubles(r);
		if (r.state !== 'shown') p.push(`no profile shown (${r.state}${r.seen.dialogs.length ? `: "${r.seen.dialogs[0]}"` : ''})`);
		else {
			if (!/collapsed stack/.test(importer(r))) p.push(`speedscope read it with the wrong importer: ${importer(r)}`);
			if (r.title !== job.name) p.push(`toolbar title ${JSON.stringify(r.title)}, expected the file name ${job.name}`);
			const share = colouredShare(r.png);
			if (share < 0.02) p.push(`flame graph blank: ${(share * 100).toFixed(2)}% coloured pixels`);
			// hover the flame graph: the tooltip names the frame under the mouse
			// and its weight; the root frame's weight is all its stacks' bytes
			let tip = null;
			for (let y = 125; y < 400 && !tip; y += 6) {
				await r.page.mouse.move(640, y);
				await r.page.waitForTimeout(30);
				const t = await r.page.evaluate(() => document.body.innerText);
				const line = t.split('\n').find((l) => l.includes(root) && /\d \(\d/.test(l));
				if (line) tip = line.trim();
			}
			if (!tip) p.push(`hovering the flame graph never showed the root frame ${root}`);
			else if (!tip.includes(fmt(rootTotal))) p.push(`tooltip "${tip}" lacks the root's weight ${fmt(rootTotal)}`);
			if (tip) { // the tooltip as a person sees it
				r.hoverShot = path.join(outDir, `${job.tag}-folded-hover.png`);
				await r.page.screenshot({ path: r.hoverShot });
			}
			if (!p.length) r.tip = tip;
			r.share = share;
		}
		if (p.length) fail(name, `${p.join('; ')} [screenshot ${r.shot}]`);
		else pass(name, `${importer(r)}; ${(r.share * 100).toFixed(1)}% coloured; tooltip "${r.tip}"; ${r.ms} ms; ${r.shot}, ${r.hoverShot}`);
	} finally { await r.ctx.close(); }

	// (2) the Sandwich view: a DOM table of every frame with its total and
	// self weight, which must be the file's own sums
	name = `speedscope-${job.tag}-folded-sandwich`;
	r = await open(job, 'sandwich', `${job.tag}-folded-sandwich.png`);
	try {
		const p = troubles(r);
		if (r.state !== 'shown') p.push(`no profile shown (${r.state})`);
		else {
			const rows = await r.page.evaluate(() => [...document.querySelectorAll('tr')]
				.filter((tr) => tr.offsetParent !== null) // shown, not the hidden profile switcher
				.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim()))
				.filter((c) => c.length === 3));
			const n = (s) => Number(s.replace(/ \(.*$/, '').replace(/,/g, ''));
			if (rows.length === 0) p.push('no rows in the Sandwich table');
			for (const [tot, slf, fr] of rows) {
				if (!want.total.has(fr)) p.push(`row "${fr}" is no frame of the file`);
				else if (n(tot) !== want.total.get(fr) || n(slf) !== (want.self.get(fr) || 0))
					p.push(`row "${fr}": total ${tot} self ${slf}, the file says ${fmt(want.total.get(fr))} / ${fmt(want.self.get(fr) || 0)}`);
			}
			const shown = new Set(rows.map((c) => c[2]));
			// the table is virtualised: with few frames all of them are rows
			if (want.total.size <= 25) {
				const missing = [...want.total.keys()].filter((f) => !shown.has(f));
				if (missing.length) p.push(`frames missing from the table: ${missing.slice(0, 5).join(', ')}`);
			}
			for (const f of [root, 'mmap']) if (!shown.has(f)) p.push(`frame "${f}" not in the table`);
			r.rows = rows.length;
		}
		if (p.length) fail(name, `${p.join('; ')} [screenshot ${r.shot}]`);
		else pass(name, `${r.rows} frames listed with the file's totals, "${root}" and "mmap" among them; ${r.ms} ms; ${r.shot}`);
	} finally { await r.ctx.close(); }
}

// ---- trace events ---------------------------------------------------------------
// speedscope 1.25.0 reads the Trace Event Format in speedscope-*.js: the
// check `_a` accepts any array whose events all have ph (B/E/X ones need
// ts); `Dl` then keeps only ph B, E and X events (`jy`), groups them by
// pid:tid (`rf`) and builds one profile per thread that has any. Counter
// ("C"), instant ("i") and metadata ("M") events draw nothing; a file with
// no B/E/X event imports as zero profiles, and the app then says
// alert("Successfully imported profile, but it's empty!").
const EMPTY = "Successfully imported profile, but it's empty!";
async function checkTraceEvent(job) {
	let events = [];
	try {
		events = JSON.parse(fs.readFileSync(job.file, 'utf8')).traceEvents || [];
	} catch { /* not JSON: what speedscope makes of it is checked below */ }
	const durations = events.filter((e) => e && ['B', 'E', 'X'].includes(e.ph)).length;
	const r = await open(job, '', `${job.tag}-trace-event.png`);
	try {
		// (1) speedscope fetched it, recognised the format, did not fail
		let name = `speedscope-${job.tag}-trace-event-import`;
		const p = troubles(r);
		if (!fetched.has(job.name)) p.push('speedscope never fetched the file');
		if (!/Trace Event Format|Chrome/.test(importer(r))) p.push(`not read as trace events: ${importer(r)}`);
		if (r.seen.dialogs.some((d) => /Unrecognized format/.test(d))) p.push(`speedscope said "${r.seen.dialogs[0]}"`);
		if (r.state === 'timeout') p.push(`nothing shown within ${LOAD_TIMEOUT_MS} ms`);
		if (p.length) fail(name, `${p.join('; ')} [screenshot ${r.shot}]`);
		else pass(name, `${importer(r)}; ${r.ms} ms`);

		// (2) a view of it
		name = `speedscope-${job.tag}-trace-event-view`;
		if (durations > 0) {
			const q = [];
			if (r.state !== 'shown') q.push(`no profile shown (${r.state}${r.seen.dialogs.length ? `: "${r.seen.dialogs[0]}"` : ''})`);
			else {
				// mapping calls last microseconds in a run of milliseconds:
				// the time-order chart shows them as thin spans, so ask for
				// spans drawn, not a share of the chart (a blank one has no
				// coloured pixel)
				const { n, total } = colouredPixels(r.png);
				if (n < DRAWN_MIN_PIXELS) q.push(`flame chart blank: ${n} coloured pixels`);
				r.share = n / total;
				r.pixels = n;
				// speedscope names each thread's profile after its process_name
				const names = events.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.args.name);
				if (!names.some((n) => (r.title || '').startsWith(`${n} (pid `)))
					q.push(`toolbar title ${JSON.stringify(r.title)} names none of the processes ${names.join(', ')}`);
			}
			if (q.length) fail(name, `${q.join('; ')} [screenshot ${r.shot}]`);
			else pass(name, `"${r.title}", ${r.pixels} coloured pixels (${(r.share * 100).toFixed(2)}%); ${r.shot}`);
		} else if (r.state === 'dialog' && r.seen.dialogs[0] === EMPTY && /Browse/.test(r.text)) {
			// exactly the known outcome for a file without duration events
			skip(name, `speedscope draws only B/E/X duration events and this file has none ` +
				`(${events.length} events: C, i, M): it said "${EMPTY}" and went back to its start page ` +
				`(docs/viewer.md) [screenshot ${r.shot}]`);
		} else {
			fail(name, `file has no B/E/X events, yet speedscope did not report it empty as expected: ` +
				`state ${r.state}, dialogs ${JSON.stringify(r.seen.dialogs)} [screenshot ${r.shot}]`);
		}
	} finally { await r.ctx.close(); }
}

try {
	for (const job of jobs) {
		try {
			if (job.kind === 'folded') await checkFolded(job);
			else await checkTraceEvent(job);
		} catch (e) {
			fail(`speedscope-${job.tag}-${job.kind}`, `the check itself broke: ${e.stack.split('\n').slice(0, 3).join(' | ')}`);
		}
	}
} finally {
	await browser.close();
	server.close();
}
process.exit(failed ? 1 : 0);
