// SPDX-License-Identifier: GPL-2.0
// report.js - draws maptrace's HTML report from the JSON document the page
// carries (out/report.c embeds this file, the CSS and `explain --json`'s
// output in one self-contained page: no network at view time).
//
// The page shows the figures of the JSON as they are: every number a test
// may compare carries its exact value in a data-value attribute beside the
// human-readable text. A treemap of the address space (kind, then region,
// sized by RSS, virtual size or PSS), a region's details on hover or click
// (with its creating stack when traced), the summary by kind as a sortable
// table, and the regions filtered by a text box. At most TILE_BUDGET region
// tiles are drawn whatever the number of regions (each kind has at least
// one, and one "N more" tile gathering its smallest regions), so a
// 65,000-region process draws as fast as a small one.
'use strict';
(function () {
	const TILE_BUDGET = 1500;   // region tiles drawn at most
	const MIN_TILE_PX = 24;     // smaller regions go into their kind's "N more" tile
	const TABLE_ROWS = 300;     // regions listed at most, the rest counted
	const data = JSON.parse(document.getElementById('mt-data').textContent);
	const doc = data.explain || data.stat;   // explain --html, or stat --html
	const regions = doc.regions || [];
	let measure = 'rss';
	let pinned = null;

	// ---- formatting -----------------------------------------------------------
	function human(n) {
		const units = ['', 'K', 'M', 'G', 'T', 'P'];
		let i = 0;
		let v = n;
		while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
		return (i === 0 ? String(v) : v < 10 ? v.toFixed(1) : String(Math.round(v))) + units[i];
	}
	function el(tag, attrs, text) {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
		if (text !== undefined) e.textContent = text;
		return e;
	}
	function figure(tag, name, value, text) {
		return el(tag, { 'data-figure': name, 'data-value': String(value) }, text === undefined ? human(value) : text);
	}

	// ---- colours: kinds of one family (a runtime, the C library's malloc, the
	// ELF images...) share a hue, and are drawn together in one box ---------------
	const FAMILIES = [
		[/^elf-/, 210, 'ELF images'], [/^java-/, 28, 'Java (HotSpot)'], [/^(v8-|wasm-)/, 0, 'V8'],
		[/^go-/, 185, 'Go runtime'], [/^python-/, 120, 'CPython'],
		[/^(heap|malloc-arena|arena-reserve|large-malloc|direct-mmap|jemalloc|tcmalloc|mimalloc|musl-malloc)$/, 275, 'malloc and mmap'],
		[/(stack|guard-page)$/, 50, 'stacks'], [/^(shared-anon|sysv-shm|memfd|deleted-file|file|device)$/, 160, 'shared memory and files'],
		[/^(vdso|vvar|vsyscall|io-ring|perf-ring|bpf-ring)$/, 330, 'kernel'],
	];
	function family(kind) {
		const k = kind.replace(/~$/, '');
		for (const f of FAMILIES) if (f[0].test(k)) return f;
		return null;
	}
	function hash(s) {
		let h = 0;
		for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
		return Math.abs(h);
	}
	function colour(kind) {
		const k = kind.replace(/~$/, '');
		const f = family(k);
		return f ? `hsl(${f[1] + (hash(k) % 24) - 12}, 55%, ${52 + (hash(k) % 16)}%)` :
			`hsl(0, 0%, ${62 + (hash(k) % 20)}%)`;
	}
	function familyName(kind) {
		const f = family(kind);
		return f ? f[2] : 'other';
	}

	// a header's list of facts, and the function adding one: label, value node
	function factList() {
		const dl = el('dl');
		return [dl, (label, node) => {
			const p = el('div', { class: 'pair' });
			p.append(el('dt', {}, label), node);
			dl.append(p);
		}];
	}

	// ---- header ---------------------------------------------------------------------
	function header() {
		const h = el('header');
		h.append(el('h1', {}, `maptrace explain: ${doc.comm} (pid ${doc.pid})`));
		const [dl, pair] = factList();
		pair('program', el('dd', {}, doc.exe || 'unknown'));
		pair('C library', el('dd', {}, doc.libc || 'unknown'));
		if (doc.runtime) pair('runtime', el('dd', {}, doc.runtime));
		pair('regions', figure('dd', 'total.regions', doc.total.regions, String(doc.total.regions)));
		for (const k of ['size', 'committed', 'rss', 'pss', 'swap'])
			pair(k === 'size' ? 'virtual' : k, figure('dd', `total.${k}`, doc.total[k]));
		h.append(dl);
		if (doc.allocator) h.append(el('div', { class: 'note' }, doc.allocator));
		return h;
	}

	// ---- the treemap (squarified: Bruls, Huizing, van Wijk 2000) -------------------
	function worst(row, side) {
		let s = 0, mx = 0, mn = Infinity;
		for (const r of row) { s += r.area; mx = Math.max(mx, r.area); mn = Math.min(mn, r.area); }
		return Math.max((side * side * mx) / (s * s), (s * s) / (side * side * mn));
	}
	// items: [{value}] sorted by value, largest first; sets x, y, w, h on each
	function squarify(items, x, y, w, h) {
		const total = items.reduce((s, i) => s + i.value, 0);
		if (!total || !(w > 0) || !(h > 0)) {   // no room (or NaN): nothing drawn
			for (const i of items) Object.assign(i, { x, y, w: 0, h: 0 });
			return;
		}
		const scale = (w * h) / total;
		for (const i of items) i.area = i.value * scale;
		let rest = items.slice();
		while (rest.length) {
			const side = Math.min(w, h);
			const row = [rest[0]];
			let k = 1;
			while (k < rest.length && worst(row.concat(rest[k]), side) <= worst(row, side)) row.push(rest[k++]);
			rest = rest.slice(k);
			const sum = row.reduce((s, r) => s + r.area, 0);
			if (w >= h) {   // a column on the left
				const cw = sum / h;
				let cy = y;
				for (const r of row) { r.x = x; r.y = cy; r.w = cw; r.h = r.area / cw; cy += r.h; }
				x += cw; w -= cw;
			} else {        // a row on top
				const rh = sum / w;
				let cx = x;
				for (const r of row) { r.x = cx; r.y = y; r.w = r.area / rh; r.h = rh; cx += r.w; }
				y += rh; h -= rh;
			}
		}
	}

	// The families, their kinds and the kinds' tiles for the current measure:
	// the largest regions each get a tile while they are big enough to see and
	// the budget lasts; the rest of a kind is one "N more" tile holding their sum.
	function layout(width, height) {
		const byKind = new Map();
		let total = 0;
		regions.forEach((r, index) => {
			const v = r[measure] || 0;
			if (!v) return;
			if (!byKind.has(r.kind)) byKind.set(r.kind, []);
			byKind.get(r.kind).push({ index, value: v });
			total += v;
		});
		const pxPerByte = total ? (width * height) / total : 0;
		const families = new Map();
		for (const [kind, items] of byKind) {
			items.sort((a, b) => b.value - a.value);
			const k = { kind, value: items.reduce((s, i) => s + i.value, 0), tiles: [] };
			const budget = Math.max(1, Math.floor((TILE_BUDGET * k.value) / total));
			let more = 0, moreValue = 0;
			for (const it of items) {
				if (k.tiles.length < budget && it.value * pxPerByte >= MIN_TILE_PX) k.tiles.push(it);
				else { more++; moreValue += it.value; }
			}
			if (more) k.tiles.push({ more, value: moreValue });
			const name = familyName(kind);
			if (!families.has(name)) families.set(name, { name, value: 0, kinds: [] });
			const f = families.get(name);
			f.value += k.value;
			f.kinds.push(k);
		}
		const list = [...families.values()].sort((a, b) => b.value - a.value);
		for (const f of list) f.kinds.sort((a, b) => b.value - a.value);
		squarify(list, 0, 0, width, height);
		return { families: list, total };
	}

	// a box of the treemap, positioned in its parent, with a label on top when
	// it has room for one; returns the label's height
	function box(cls, attrs, r, label) {
		const b = el('div', Object.assign({ class: cls }, attrs));
		Object.assign(b.style, { left: `${r.x}px`, top: `${r.y}px`, width: `${r.w}px`, height: `${r.h}px` });
		const head = r.h > 30 && r.w > 40 ? 14 : 0;
		if (head) b.append(el('div', { class: 'label' }, label));
		return [b, head];
	}

	function drawTreemap() {
		const map = document.getElementById('treemap');
		map.textContent = '';
		const { families, total } = layout(map.clientWidth, map.clientHeight);
		map.dataset.total = String(total);
		let tiles = 0;
		const frag = document.createDocumentFragment();
		for (const f of families) {
			const [fb, fhead] = box('familybox', { 'data-family': f.name, 'data-value': String(f.value) },
				f, `${f.name} ${human(f.value)}`);
			squarify(f.kinds, 0, fhead, f.w - 2, f.h - 2 - fhead);
			for (const k of f.kinds) {
				const [kb, head] = box('kindbox', { 'data-kind': k.kind, 'data-value': String(k.value) },
					k, `${k.kind} ${human(k.value)}`);
				squarify(k.tiles, 0, head, k.w - 2, k.h - 2 - head);
				for (const t of k.tiles) {
					const tile = el('div', { class: t.more ? 'tile more' : 'tile', 'data-value': String(t.value) });
					if (t.more) tile.dataset.more = String(t.more);
					else tile.dataset.index = String(t.index);
					Object.assign(tile.style, {
						left: `${t.x}px`, top: `${t.y}px`, width: `${Math.max(t.w, 0)}px`,
						height: `${Math.max(t.h, 0)}px`, background: colour(k.kind),
					});
					if (t.w > 50 && t.h > 12) {
						const r = regions[t.index];
						tile.textContent = t.more ? `${t.more} more` : r.name ? r.name.replace(/.*\//, '') : r.start;
					}
					kb.append(tile);
					tiles++;
				}
				fb.append(kb);
			}
			frag.append(fb);
		}
		map.append(frag);
		map.dataset.tiles = String(tiles);
		applyFilter();
	}

	// ---- a region's details ------------------------------------------------------------
	function details(tile) {
		const d = document.getElementById('details');
		d.textContent = '';
		if (!tile) { d.append(el('span', { class: 'note' }, 'Hover over a region, or click to keep it.')); return; }
		if (tile.dataset.more) {
			const kind = tile.closest('.kindbox').dataset.kind;
			d.append(el('b', {}, `${tile.dataset.more} more ${kind} regions`),
				el('span', {}, `, ${human(Number(tile.dataset.value))} of ${measure} together: each too small to draw (the table lists them)`));
			return;
		}
		const r = regions[Number(tile.dataset.index)];
		d.dataset.index = tile.dataset.index;
		const line = el('div');
		line.append(el('b', { 'data-field': 'range' }, `${r.start}-${r.end}`), ` ${r.perms} `,
			el('b', { 'data-field': 'kind' }, r.kind), ` ${r.name || ''}`);
		const sizes = el('div');
		for (const k of ['size', 'rss', 'pss', 'swap'])
			sizes.append(`${k === 'size' ? 'virtual' : k} `, figure('b', `region.${k}`, r[k]), '  ');
		d.append(line, sizes, el('div', { 'data-field': 'description' }, r.description));
		for (const o of r.origins || []) {
			const frames = (o.stack || []).map((f) =>
				`  ${f.function || f.pc}${f.file ? ` at ${f.file}:${f.line}` : ''}${f.module ? `  (${f.module})` : ''}`);
			d.append(el('pre', { 'data-field': 'origin' },
				`created by ${o.call} in thread ${o.tid} at ${(o.time_ns / 1e6).toFixed(3)} ms\n${frames.join('\n')}`));
		}
	}

	// ---- the summary by kind, sortable ---------------------------------------------------
	const SUMMARY_COLS = [['kind', 'kind'], ['regions', 'regions'], ['size', 'virtual'], ['committed', 'committed'],
		['rss', 'rss'], ['pss', 'pss'], ['swap', 'swap'], ['about', 'about']];
	let summarySort = { key: 'rss', asc: false };
	function drawSummary() {
		const t = document.getElementById('summary');
		t.textContent = '';
		const head = el('tr');
		for (const [key, label] of SUMMARY_COLS) {
			const th = el('th', { 'data-key': key, class: key === 'kind' || key === 'about' ? 'text' : '' }, label);
			if (key === summarySort.key) th.classList.add('sorted', ...(summarySort.asc ? ['asc'] : []));
			head.append(th);
		}
		t.append(head);
		const rows = doc.summary.slice().sort((a, b) => {
			const x = a[summarySort.key], y = b[summarySort.key];
			const c = typeof x === 'string' ? x.localeCompare(y) : x - y;
			return summarySort.asc ? c : -c;
		});
		for (const s of rows) {
			const tr = el('tr', { 'data-kind': s.kind });
			for (const [key] of SUMMARY_COLS) {
				if (key === 'kind') {
					const td = el('td', { class: 'text' });
					td.append(el('span', { class: 'swatch', style: `background:${colour(s.kind)}` }), s.kind);
					tr.append(td);
				} else if (key === 'about') {
					tr.append(el('td', { class: 'text' }, s.about || ''));
				} else {
					tr.append(figure('td', key, s[key], key === 'regions' ? String(s[key]) : human(s[key])));
				}
			}
			t.append(tr);
		}
	}

	// ---- the regions, filtered ---------------------------------------------------------
	function matches(r, q) {
		return !q || r.start.includes(q) || r.end.includes(q) || r.kind.includes(q) ||
			(r.name || '').toLowerCase().includes(q) || (r.description || '').toLowerCase().includes(q);
	}
	function applyFilter() {
		const q = document.getElementById('filter').value.trim().toLowerCase();
		const t = document.getElementById('regions');
		t.textContent = '';
		const head = el('tr');
		for (const h of ['start', 'end', 'perms', 'virtual', 'rss', 'pss', 'swap', 'kind', 'name', 'description'])
			head.append(el('th', { class: ['kind', 'name', 'description'].includes(h) ? 'text' : '' }, h));
		t.append(head);
		let shown = 0, matched = 0;
		regions.forEach((r, i) => {
			if (!matches(r, q)) return;
			matched++;
			if (shown >= TABLE_ROWS) return;
			shown++;
			const tr = el('tr', { 'data-index': String(i) });
			tr.append(el('td', {}, r.start), el('td', {}, r.end), el('td', {}, r.perms));
			for (const k of ['size', 'rss', 'pss', 'swap']) tr.append(figure('td', k, r[k]));
			tr.append(el('td', { class: 'text' }, r.kind), el('td', { class: 'text' }, r.name || ''),
				el('td', { class: 'text' }, r.description));
			t.append(tr);
		});
		const note = document.getElementById('regions-note');
		note.dataset.matched = String(matched);
		note.textContent = matched > shown ?
			`${matched} regions match; the first ${shown} are listed: narrow the filter to see others.` :
			`${matched} regions match.`;
		for (const tile of document.querySelectorAll('#treemap .tile[data-index]'))
			tile.classList.toggle('dim', !!q && !matches(regions[Number(tile.dataset.index)], q));
	}

	// ---- the timeline of a traced run ------------------------------------------------
	// Virtual and anonymous bytes after each call kept (steps), resident bytes
	// as sampled, the peak marked; a click shows the nearest call and its stack.
	const SVG = 'http://www.w3.org/2000/svg';
	function svg(tag, attrs) {
		const e = document.createElementNS(SVG, tag);
		for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
		return e;
	}
	function ms(ns) { return `${(ns / 1e6).toFixed(3)} ms`; }
	function showCall(d, tl, p) {
		d.textContent = '';
		const line = el('div');
		line.append(el('b', { 'data-field': 'call' }, p.call),
			p.tid ? ` ${p.addr} length ${human(p.len)} by thread ${p.tid} of ${p.pid} at ${ms(p.t_ns)}: virtual ` :
				` of process ${p.pid} (an address space copied or read, no call) at ${ms(p.t_ns)}: virtual `,
			figure('b', 'call.vm', p.vm), ', anonymous ', figure('b', 'call.anon', p.anon));
		d.append(line);
		const frames = p.stack ? tl.stacks[String(p.stack)] : null;
		if (frames)
			d.append(el('pre', { 'data-field': 'stack' }, frames.map((f) =>
				`  ${f.function || f.pc}${f.file ? ` at ${f.file}:${f.line}` : ''}${f.module ? `  (${f.module})` : ''}`).join('\n')));
		else
			d.append(el('div', { class: 'note' }, Object.keys(tl.stacks).length ? 'no stack recorded for this call' :
				'no stacks in this run (stat records none; explain -- COMMAND does)'));
	}
	function drawTimeline(section, tl) {
		const pts = tl.points;
		const W = 1200, H = 220, L = 60, B = 20;
		// from the first call or sample (a command's start, exec and loader
		// included, is not the story) to the last
		const times = pts.map((p) => p.t_ns).concat(tl.rss.map((r) => r[0]));
		if (!times.length) {
			section.append(el('div', { class: 'note' }, `${tl.calls} changes, none kept to draw (out of memory)`));
			return;
		}
		const tStart = Math.min(...times);
		const tEnd = Math.max(tStart + 1, ...times);
		const yMax = Math.max(1, tl.peak ? tl.peak.vm : 0, ...tl.rss.map((r) => r[1]));
		const x = (t) => L + ((W - L - 10) * (t - tStart)) / (tEnd - tStart);
		const y = (v) => H - B - ((H - B - 10) * v) / yMax;
		const details = el('div', { id: 'call-details' });
		const chart = svg('svg', { id: 'timeline', viewBox: `0 0 ${W} ${H}`, width: '100%',
			'data-points': String(pts.length), 'data-calls': String(tl.calls) });
		chart.append(svg('line', { x1: L, y1: H - B, x2: W - 10, y2: H - B, stroke: '#999' }));
		for (let i = 0; i <= 4; i++) {
			const v = (yMax * i) / 4;
			const t = svg('text', { x: L - 4, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 10 });
			t.textContent = human(Math.round(v));
			chart.append(t, svg('line', { x1: L, y1: y(v), x2: W - 10, y2: y(v), stroke: '#eee' }));
		}
		const start = svg('text', { x: L, y: H - 4, 'font-size': 10 });
		start.textContent = ms(tStart);
		const end = svg('text', { x: W - 10, y: H - 4, 'text-anchor': 'end', 'font-size': 10 });
		end.textContent = ms(tEnd);
		chart.append(start, end);
		// steps from the first point's value: what was mapped before the
		// first traced call is not known to have been nothing
		const step = (key) => {
			let d = '', last = pts.length ? pts[0][key] : 0;
			for (const p of pts) {
				d += `${d ? 'L' : 'M'}${x(p.t_ns).toFixed(1)},${y(last).toFixed(1)}L${x(p.t_ns).toFixed(1)},${y(p[key]).toFixed(1)}`;
				last = p[key];
			}
			return d;
		};
		const series = [['vm', '#1e88e5', 'virtual'], ['anon', '#8e24aa', 'anonymous']];
		for (const [key, colour] of series)
			if (pts.length) chart.append(svg('path', { d: step(key), fill: 'none', stroke: colour, 'stroke-width': 1.5 }));
		if (tl.rss.length)
			chart.append(svg('path', { d: tl.rss.map((r, i) => `${i ? 'L' : 'M'}${x(r[0]).toFixed(1)},${y(r[1]).toFixed(1)}`).join(''),
				fill: 'none', stroke: '#43a047', 'stroke-width': 1.5 }));
		const marks = svg('g', { 'data-role': 'calls' });
		for (const p of pts) marks.append(svg('line', { x1: x(p.t_ns), y1: H - B, x2: x(p.t_ns), y2: H - B + 5, stroke: '#555' }));
		chart.append(marks);
		if (tl.peak) {
			const px = x(tl.peak.t_ns);
			const peak = svg('g', { id: 'peak', 'data-figure': 'peak.vm', 'data-value': String(tl.peak.vm), cursor: 'pointer' });
			peak.append(svg('line', { x1: px, y1: 10, x2: px, y2: H - B, stroke: '#e53935', 'stroke-dasharray': '4 3' }));
			// the label on the side of the line with room for it
			const right = px < W * 0.6;
			const label = svg('text', { x: right ? px + 4 : px - 4, y: 20, 'font-size': 11, fill: '#e53935',
				'text-anchor': right ? 'start' : 'end' });
			label.textContent = `peak ${human(tl.peak.vm)} virtual at ${ms(tl.peak.t_ns)} (${tl.peak.call})`;
			peak.append(label);
			peak.addEventListener('click', (e) => { e.stopPropagation(); showCall(details, tl, tl.peak); });
			chart.append(peak);
		}
		chart.addEventListener('click', (e) => {
			if (!pts.length) return;
			const box = chart.getBoundingClientRect();
			const t = tStart + ((e.clientX - box.left) * (W / box.width) - L) / (W - L - 10) * (tEnd - tStart);
			let best = pts[0];
			for (const p of pts) if (Math.abs(p.t_ns - t) < Math.abs(best.t_ns - t)) best = p;
			showCall(details, tl, best);
		});
		const legend = el('div', { class: 'note' });
		for (const [, colour, label] of series.concat([[null, '#43a047', 'resident (sampled)']]))
			legend.append(el('span', { class: 'swatch', style: `background:${colour}` }), `${label}  `);
		legend.append(tl.kept_every > 1 ?
			`${pts.length} of ${tl.calls} changes drawn (every ${tl.kept_every}th; the peak always).` :
			`${tl.calls} changes.`, ' Click the chart for the nearest call, the peak for its call.');
		section.append(chart, legend, details);
		showCall(details, tl, tl.peak || pts[0]);
	}

	// ---- stat's page: the run's figures, per process, and its timeline ---------------
	const FIGURES = [['bytes_mapped', 'mapped'], ['bytes_unmapped', 'unmapped'], ['churn_bytes', 'churn'],
		['peak_vm_bytes', 'peak virtual'], ['final_vm_bytes', 'final virtual'],
		['peak_anon_bytes', 'peak anonymous'], ['final_anon_bytes', 'final anonymous']];
	const sumCalls = (f) => Object.values(f.calls).reduce((a, b) => a + b, 0);
	function sortable(table, draw) {
		let by = { key: null, asc: false };
		table.addEventListener('click', (e) => {
			const key = e.target.dataset && e.target.dataset.key;
			if (!key) return;
			by = { key, asc: by.key === key ? !by.asc : false };
			draw(by);
		});
		draw(by);
	}
	function buildStat() {
		const cmd = (doc.command || []).join(' ') || 'processes';
		document.title = `maptrace stat: ${cmd}`;
		const h = el('header');
		h.append(el('h1', {}, `maptrace stat: ${cmd}`));
		const [dl, pair] = factList();
		if (doc.exit_status !== undefined) pair('exit status', figure('dd', 'exit_status', doc.exit_status, String(doc.exit_status)));
		pair('duration', figure('dd', 'duration_ns', doc.duration_ns, ms(doc.duration_ns)));
		pair('calls', figure('dd', 'total.calls', sumCalls(doc.total), String(sumCalls(doc.total))));
		for (const [k, label] of FIGURES) pair(label, figure('dd', `total.${k}`, doc.total[k]));
		pair('mappings at the end', figure('dd', 'total.final_mappings', doc.total.final_mappings, String(doc.total.final_mappings)));
		pair('lost events', figure('dd', 'lost_events', doc.lost_events, String(doc.lost_events)));
		h.append(dl);
		if (doc.lost_events || doc.unmeasured_address_spaces)
			h.append(el('div', { class: 'warning' }, `${doc.lost_events} events lost, ${doc.unmeasured_address_spaces} address spaces unmeasured: the figures are short of the truth`));
		document.body.append(h);
		const main = el('main');
		if (doc.timeline && doc.timeline.calls) {
			const tls = el('section');
			tls.append(el('h2', {}, 'Over the run: every traced process together, after each change'));
			main.append(tls);
			drawTimeline(tls, doc.timeline);
		}
		const kinds = el('section');
		const kt = el('table', { id: 'calls' });
		kinds.append(el('h2', {}, 'Calls by kind'), kt);
		const head = el('tr');
		head.append(el('th', { class: 'text' }, 'kind'), el('th', {}, 'calls'), el('th', {}, 'failed'));
		kt.append(head);
		for (const [k, n] of Object.entries(doc.total.calls)) {
			if (!n) continue;
			const tr = el('tr', { 'data-kind': k });
			tr.append(el('td', { class: 'text' }, k), figure('td', 'calls', n, String(n)),
				figure('td', 'failed', doc.total.failed[k], String(doc.total.failed[k])));
			kt.append(tr);
		}
		const procs = el('section');
		const pt = el('table', { id: 'processes' });
		procs.append(el('h2', {}, 'Processes (click a column to sort)'), pt);
		const cols = [['pid', 'pid'], ['comm', 'command'], ['calls', 'calls']].concat(FIGURES, [['final_mappings', 'mappings at the end']]);
		const value = (p, key) => key === 'pid' ? p.pid : key === 'comm' ? p.comm : key === 'calls' ? sumCalls(p.figures) : p.figures[key];
		sortable(pt, (by) => {
			pt.textContent = '';
			const tr = el('tr');
			for (const [key, label] of cols) {
				const th = el('th', { 'data-key': key, class: key === 'comm' ? 'text' : '' }, label);
				if (key === by.key) th.classList.add('sorted', ...(by.asc ? ['asc'] : []));
				tr.append(th);
			}
			pt.append(tr);
			const rows = doc.processes.slice();
			if (by.key) rows.sort((a, b) => {
				const x = value(a, by.key), y = value(b, by.key);
				const c = typeof x === 'string' ? x.localeCompare(y) : x - y;
				return by.asc ? c : -c;
			});
			for (const p of rows.slice(0, TABLE_ROWS)) {
				const row = el('tr', { 'data-pid': String(p.pid) });
				for (const [key] of cols) {
					const v = value(p, key);
					row.append(key === 'comm' ? el('td', { class: 'text' }, v) :
						figure('td', key, v, ['pid', 'calls', 'final_mappings'].includes(key) ? String(v) : human(v)));
				}
				pt.append(row);
			}
			if (rows.length > TABLE_ROWS) {
				const more = el('tr');
				more.append(el('td', { colspan: String(cols.length), class: 'text' },
					`${rows.length - TABLE_ROWS} more processes: the JSON has them all`));
				pt.append(more);
			}
		});
		main.append(kinds, procs);
		document.body.append(main);
		document.body.dataset.ready = '1';
		window.mtReadyMs = performance.now();
	}

	// ---- explain's page -----------------------------------------------------------------
	function build() {
		document.title = `maptrace explain: ${doc.comm} (${doc.pid})`;
		document.body.append(header());
		const main = el('main');
		const tm = el('section');
		tm.append(el('h2', {}, 'Address space by family, kind, then region'));
		const controls = el('div', { class: 'controls' });
		for (const [m, label] of [['rss', 'resident (RSS)'], ['size', 'virtual size'], ['pss', 'PSS']]) {
			const l = el('label');
			const input = el('input', { type: 'radio', name: 'measure', value: m });
			if (m === measure) input.checked = true;
			input.addEventListener('change', () => { measure = m; pinned = null; drawTreemap(); details(null); });
			l.append(input, ` ${label}`);
			controls.append(l);
		}
		const filter = el('input', { id: 'filter', type: 'search', placeholder: 'filter: address, kind, name, description' });
		filter.addEventListener('input', applyFilter);
		controls.append(filter);
		const box = el('div', { id: 'treemap' });
		box.addEventListener('mouseover', (e) => {
			if (!pinned && e.target.classList.contains('tile')) details(e.target);
		});
		box.addEventListener('click', (e) => {
			if (!e.target.classList.contains('tile')) return;
			if (pinned) pinned.classList.remove('pinned');
			pinned = pinned === e.target ? null : e.target;
			if (pinned) pinned.classList.add('pinned');
			details(pinned || e.target);
		});
		tm.append(controls, box, el('div', { id: 'details' }));
		const sum = el('section');
		sum.append(el('h2', {}, 'Summary by kind (click a column to sort)'), el('table', { id: 'summary' }));
		sum.querySelector('table').addEventListener('click', (e) => {
			const key = e.target.dataset && e.target.dataset.key;
			if (!key) return;
			summarySort = { key, asc: summarySort.key === key ? !summarySort.asc : key === 'kind' || key === 'about' };
			drawSummary();
		});
		const reg = el('section');
		reg.append(el('h2', {}, 'Regions'), el('div', { id: 'regions-note', class: 'note' }), el('table', { id: 'regions' }));
		main.append(tm);
		if (doc.timeline && doc.timeline.calls) {
			const tls = el('section');
			tls.append(el('h2', {}, 'Over the run: the address space after each call'));
			main.append(tls);
			drawTimeline(tls, doc.timeline);
		}
		main.append(sum, reg);
		document.body.append(main);
		drawSummary();
		drawTreemap();
		details(null);
		document.body.dataset.ready = '1';
		window.mtReadyMs = performance.now();
	}
	if (data.stat) buildStat();
	else build();
})();
