/* SPDX-License-Identifier: GPL-2.0 */
/* httpd.h - the smallest HTTP server an exporter needs: a listening socket
 * the caller's loop polls, one request per connection (GET or HEAD), each
 * answered at once and closed. User-only. */
#ifndef MAPTRACE_HTTPD_H
#define MAPTRACE_HTTPD_H

#include <stddef.h>
#include <stdio.h>

struct mt_httpd {
	int fd;          /* the listening socket, non-blocking; -1 when closed */
};

/* What a handler answers: the status, the body it wrote to its FILE, and
 * the body's content type. */
struct mt_http_reply {
	int status;                  /* 200, 404... */
	const char *content_type;
};

/* Answer a request for path (the query cut off); accept is the request's
 * Accept header ("" without one). Writes the body to body. */
typedef void (*mt_httpd_handler)(void *ctx, const char *path, const char *accept, FILE *body,
				 struct mt_http_reply *reply);

/* Listen on "HOST:PORT" ("127.0.0.1:9464", "[::1]:9464", "0.0.0.0:9464"):
 * 0, or -1 with a one-line reason in why. */
int mt_httpd_listen(struct mt_httpd *h, const char *addr, char *why, size_t whylen);
/* The local port listened on (for port 0: the one the kernel chose). */
int mt_httpd_port(const struct mt_httpd *h);
/* Answer every connection waiting to be accepted; returns how many. */
int mt_httpd_serve_pending(struct mt_httpd *h, mt_httpd_handler fn, void *ctx);
void mt_httpd_close(struct mt_httpd *h);

#endif /* MAPTRACE_HTTPD_H */
