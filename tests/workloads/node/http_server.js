// SPDX-License-Identifier: GPL-2.0
// http_server.js - a real program's shape: a Node.js HTTP server on
// loopback that has served 200 requests (made by itself, one after the
// other), then prints "served N" and waits for its stdin to close.
'use strict';
const http = require('http');

const server = http.createServer((req, res) => res.end(`hello ${req.url}\n`));
server.listen(0, '127.0.0.1', () => {
	const port = server.address().port;
	let served = 0;
	const next = () => {
		if (served === 200) {
			process.stdout.write(`served ${served}\n`);
			return;
		}
		http.get({ host: '127.0.0.1', port, path: `/${served}` }, (res) => {
			res.resume();
			res.on('end', () => { served++; next(); });
		});
	};
	next();
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
