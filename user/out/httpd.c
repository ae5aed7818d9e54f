// SPDX-License-Identifier: GPL-2.0
/* httpd.c - a minimal HTTP/1.1 responder (see out/httpd.h).
 *
 * Each connection is read until the end of its headers (at most
 * REQUEST_MAX bytes, waiting at most IO_TIMEOUT_S for them), answered with
 * "Connection: close" and closed: a scraper's one request a connection.
 * A client that stalls costs the loop at most the timeout, and the events
 * meanwhile wait in the ring buffer. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <netinet/in.h>

#include "out/httpd.h"

#define REQUEST_MAX  8192
#define IO_TIMEOUT_S 2
#define BACKLOG      16

int mt_httpd_listen(struct mt_httpd *h, const char *addr, char *why, size_t whylen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	const char *colon = strrchr(addr, ':');
	char host[128];
	size_t hl;
	int err, one = 1;

	h->fd = -1;
	if (!colon || !colon[1]) {
		snprintf(why, whylen, "'%s' is not HOST:PORT (e.g. 127.0.0.1:9464)", addr);
		return -1;
	}
	hl = (size_t)(colon - addr);
	if (hl >= 2 && addr[0] == '[' && addr[hl - 1] == ']')
		addr++, hl -= 2;   /* [::1] */
	if (hl >= sizeof(host)) {
		snprintf(why, whylen, "host '%.*s' is too long", (int)hl, addr);
		return -1;
	}
	memcpy(host, addr, hl);
	host[hl] = '\0';
	err = getaddrinfo(hl ? host : NULL, colon + 1, &hints, &ai);
	if (err) {
		snprintf(why, whylen, "'%s:%s': %s (a numeric address and port)", host, colon + 1,
			 gai_strerror(err));
		return -1;
	}
	h->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->fd < 0 || setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(h->fd, ai->ai_addr, ai->ai_addrlen) || listen(h->fd, BACKLOG)) {
		snprintf(why, whylen, "listening on %s:%s failed: %s", host, colon + 1, strerror(errno));
		if (h->fd >= 0)
			close(h->fd);
		h->fd = -1;
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return 0;
}

int mt_httpd_port(const struct mt_httpd *h)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(h->fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
						 ((struct sockaddr_in *)&ss)->sin_port);
}

/* The request's headers, NUL-terminated in buf; its length, or -1. */
static ssize_t read_request(int fd, char *buf, size_t cap)
{
	size_t have = 0;

	while (have + 1 < cap) {
		ssize_t n = recv(fd, buf + have, cap - 1 - have, 0);

		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			return (ssize_t)have;
	}
	return -1;
}

/* The value of header name in the request, cut at the line's end. */
static void header(const char *req, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);

	out[0] = '\0';
	for (const char *p = strchr(req, '\n'); p; p = strchr(p, '\n')) {
		p++;
		if (!strncasecmp(p, name, nl) && p[nl] == ':') {
			size_t l;

			p += nl + 1;
			p += strspn(p, " \t");
			l = strcspn(p, "\r\n");
			if (l >= cap)
				l = cap - 1;
			memcpy(out, p, l);
			out[l] = '\0';
			return;
		}
	}
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	default:  return "Internal Server Error";
	}
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void answer(int fd, mt_httpd_handler fn, void *ctx)
{
	char req[REQUEST_MAX], method[8], path[256], accept[512], head[256];
	struct mt_http_reply reply = { .status = 400, .content_type = "text/plain; charset=utf-8" };
	char *body = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&body, &blen);
	bool head_only = false;
	int hl;

	if (!f)
		return;
	if (read_request(fd, req, sizeof(req)) < 0 ||
	    sscanf(req, "%7s %255s", method, path) != 2) {
		fputs("bad request\n", f);
	} else if (strcmp(method, "GET") && !(head_only = !strcmp(method, "HEAD"))) {
		reply.status = 405;
		fputs("only GET and HEAD\n", f);
	} else {
		path[strcspn(path, "?#")] = '\0';
		header(req, "Accept", accept, sizeof(accept));
		reply.status = 200;
		fn(ctx, path, accept, f, &reply);
	}
	if (fclose(f)) {
		free(body);
		return;
	}
	hl = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		      "Connection: close\r\n\r\n", reply.status, reason(reply.status),
		      reply.content_type, blen);
	send_all(fd, head, (size_t)hl);
	if (!head_only)
		send_all(fd, body, blen);
	free(body);
}

int mt_httpd_serve_pending(struct mt_httpd *h, mt_httpd_handler fn, void *ctx)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	int served = 0;

	for (;;) {
		int fd = accept4(h->fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			return served;   /* EAGAIN: none waiting (or a transient error) */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		answer(fd, fn, ctx);
		close(fd);
		served++;
	}
}

void mt_httpd_close(struct mt_httpd *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}
