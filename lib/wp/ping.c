/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ping.c - the drain ping (ping.h). */
#include "wp/ping.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/hmac.h"
#include "base/log.h"

#define STALE_MS 30000 /* a kept ping unanswered this long is dropped */
#define HOST_MAX 256
#define PATH_MAX_ 512

/* http://host[:port][/path] into host, port and path (without a trailing
 * slash); false for anything else. */
static bool
split_url(const char *url, char *host, char *port, char *path)
{
	const char *h, *end, *colon, *slash;
	size_t hl, pl;

	if (strncmp(url, "http://", 7) != 0)
		return false;
	h = url + 7;
	slash = strchr(h, '/');
	end = slash != NULL ? slash : h + strlen(h);
	if (*h == '[') { /* [v6]:port */
		const char *rb = memchr(h, ']', (size_t)(end - h));

		if (rb == NULL)
			return false;
		hl = (size_t)(rb - h - 1);
		if (hl == 0 || hl >= HOST_MAX)
			return false;
		memcpy(host, h + 1, hl);
		host[hl] = '\0';
		colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		hl = (size_t)((colon != NULL ? colon : end) - h);
		if (hl == 0 || hl >= HOST_MAX)
			return false;
		memcpy(host, h, hl);
		host[hl] = '\0';
	}
	if (colon != NULL) {
		size_t n = (size_t)(end - colon - 1);

		if (n == 0 || n > 5 || strspn(colon + 1, "0123456789") < n)
			return false;
		memcpy(port, colon + 1, n);
		port[n] = '\0';
	} else {
		snprintf(port, 6, "80");
	}
	pl = slash != NULL ? strlen(slash) : 0;
	while (pl > 0 && slash[pl - 1] == '/')
		pl--;
	if (pl >= PATH_MAX_ ||
	    (slash != NULL && strcspn(slash, "?# \r\n") < pl))
		return false;
	if (pl > 0)
		memcpy(path, slash, pl);
	path[pl] = '\0';
	return true;
}

/* A non-blocking connection to host:port within budget_ms of the address
 * being known, or -1.  An IP address is taken as it is (no resolver, no
 * NSS modules loaded); a name goes through the system's resolver first. */
static int
connect_by(const char *host, const char *port, unsigned budget_ms)
{
	struct addrinfo hints, *res = NULL, *ai;
	unsigned char addr[sizeof(struct in6_addr)];
	long long deadline;
	int fd = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1)
		hints.ai_flags |= AI_NUMERICHOST;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	deadline = mw_now_ms() + budget_ms;
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		struct pollfd pfd;
		int err = 0, left;
		socklen_t el = sizeof(err);

		fd = socket(ai->ai_family,
			    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		left = (int)(deadline - mw_now_ms());
		pfd.fd = fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (errno == EINPROGRESS && left > 0 &&
		    poll(&pfd, 1, left) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 &&
		    err == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

bool
wp_ping_in_flight(struct wp_pinger *p)
{
	struct pollfd pfd;

	if (p == NULL || p->fd < 0)
		return false;
	pfd.fd = p->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) == 0 && mw_now_ms() - p->sent_ms < STALE_MS)
		return true;
	close(p->fd);
	p->fd = -1;
	return false;
}

enum wp_ping_result
wp_ping_drain(struct wp_pinger *p, const char *url, const char *key,
	      unsigned budget_ms)
{
	char host[HOST_MAX], port[8], path[PATH_MAX_], req[1400];
	char nonce[33], msg[64], sig[MW_HMAC_HEX];
	ssize_t sent;
	int fd, n;

	if (strncmp(url, "https://", 8) == 0)
		return WP_PING_HTTPS;
	if (!split_url(url, host, port, path))
		return WP_PING_FAILED;
	if (wp_ping_in_flight(p))
		return WP_PING_IN_FLIGHT;
	if (mw_random_hex(16, nonce) != MW_OK)
		return WP_PING_FAILED;
	snprintf(msg, sizeof(msg), "%lld.%s", (long long)time(NULL), nonce);
	if (mw_hmac_sha256_hex(key, strlen(key), msg, strlen(msg), sig) !=
	    MW_OK)
		return WP_PING_FAILED;
	n = snprintf(req, sizeof(req),
		     "POST %s/wp-cron.php?mautic-wp-drain=1 HTTP/1.1\r\n"
		     "Host: %s%s%s%s%s\r\n"
		     "User-Agent: mautic-wp\r\n"
		     "X-Mautic-WP-Time: %.*s\r\n"
		     "X-Mautic-WP-Nonce: %s\r\n"
		     "X-Mautic-WP-Signature: %s\r\n"
		     "Content-Length: 0\r\n"
		     "Connection: close\r\n\r\n",
		     path, strchr(host, ':') ? "[" : "", host,
		     strchr(host, ':') ? "]" : "",
		     strcmp(port, "80") != 0 ? ":" : "",
		     strcmp(port, "80") != 0 ? port : "",
		     (int)strcspn(msg, "."), msg, nonce, sig);
	if (n < 0 || (size_t)n >= sizeof(req))
		return WP_PING_FAILED;
	fd = connect_by(host, port, budget_ms);
	if (fd < 0)
		return WP_PING_FAILED;
	/* A few hundred bytes fit any socket buffer: one send, no wait. */
	sent = send(fd, req, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (sent != n) {
		close(fd);
		return WP_PING_FAILED;
	}
	if (p == NULL) {
		close(fd);
	} else {
		p->fd = fd;
		p->sent_ms = mw_now_ms();
	}
	return WP_PING_SENT;
}

void
wp_pinger_close(struct wp_pinger *p)
{
	if (p != NULL && p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
}
