// SPDX-License-Identifier: GPL-2.0
// hold.js - a Node.js program holding 50 arrays of 100,000 small objects
// (about 250 MiB of V8 heap), which prints what V8 says its heap holds and
// waits for its stdin to close: explain's runtimes tier compares the two.
//
// The line: "heap B", B the sum of physical_space_size over
// v8.getHeapSpaceStatistics(): the bytes each space has committed (new,
// old, code, large-object spaces...).
'use strict';
const v8 = require('v8');

const keep = [];
for (let i = 0; i < 50; i++) {
	const a = new Array(100000);
	for (let j = 0; j < a.length; j++)
		a[j] = { i, j };
	keep.push(a);
}
let physical = 0;
for (const space of v8.getHeapSpaceStatistics())
	physical += space.physical_space_size;
process.stdout.write(`heap ${physical}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(keep.length === 50 ? 0 : 1));
