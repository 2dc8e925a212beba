/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ping.h - the signed, fire-and-forget request that wakes the mu-plugin's
 * drain: POST {site}/wp-cron.php?mautic-wp-drain=1 over plain HTTP with a
 * non-blocking socket, as WordPress's own cron spawn does.  The request is
 * written within a few milliseconds or dropped; its answer is never
 * waited for.  HTTPS is not spoken (no TLS here): an https:// site is not
 * pinged and drains through WP-Cron, unless [events] ping_url names a
 * plain-HTTP address of the same site.
 */
#ifndef MW_WP_PING_H
#define MW_WP_PING_H

#include <stdbool.h>

#include "base/err.h"

/* A persistent process's ping: the socket of the last one, kept until the
 * drain answers, so that at most one is in flight. */
struct wp_pinger {
	int fd;		   /* -1: none in flight */
	long long sent_ms; /* when it went (mw_now_ms) */
};

#define WP_PINGER_INIT                                                         \
	{                                                                      \
		-1, 0                                                          \
	}

enum wp_ping_result {
	WP_PING_SENT,	   /* written to the site */
	WP_PING_IN_FLIGHT, /* the last one is not answered yet: none sent */
	WP_PING_HTTPS,	   /* an https:// URL: not pinged */
	WP_PING_FAILED,	   /* no connection within the budget */
};

/* Ping the drain at url (http://host[:port][/path]) signed with key:
 * headers X-Mautic-WP-Time, X-Mautic-WP-Nonce and X-Mautic-WP-Signature =
 * hex HMAC-SHA256(time "." nonce, key).  With p NULL (a CGI) the socket
 * is closed once the request is written; with p the socket is kept and a
 * second ping waits until the first is answered (or is 30 s old).  Spends
 * at most budget_ms on connecting and writing, once the address is known
 * (an IP address at once; a host name through the system's resolver). */
enum wp_ping_result wp_ping_drain(struct wp_pinger *p, const char *url,
				  const char *key, unsigned budget_ms);

/* True while the kept ping has no answer yet (and is under 30 s old);
 * an answered, failed or stale one is closed.  False for NULL. */
bool wp_ping_in_flight(struct wp_pinger *p);

/* Close a kept ping.  NULL is fine. */
void wp_pinger_close(struct wp_pinger *p);

#endif
