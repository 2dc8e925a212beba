/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mautic_int.h - what mautic.c (the REST calls) and mautic_token.c (the
 * OAuth2 token and its cache) share.  Included by lib/mautic only.
 */
#ifndef MW_MAUTIC_INT_H
#define MW_MAUTIC_INT_H

#include <stdbool.h>

#include <curl/curl.h>

#include "base/buf.h"
#include "mautic/mautic.h"

#define TOKEN_MAX 4096	     /* bytes of a cached token file */
#define MAUTIC_PATH_MAX 4096 /* bytes of a request's path and query */
#define TOKEN_MARGIN_S 60    /* refresh this long before expiry */

struct mautic {
	const struct cfg *cfg; /* borrowed */
	CURL *curl;	       /* created on first use */
	long long deadline_ms; /* monotonic end of the budget */
	char *token;	       /* OAuth2 access token, owned, secret */
	unsigned calls;	       /* HTTP requests made */
	long last_status;      /* status of the last answer (0: none) */
	long retry_after_s;    /* what the last answer asked us to wait */
	long ratelimit_reset;  /* X-RateLimit-Reset of the last answer */
	bool keep;	       /* serves many requests: keep-alive */
};

/* One HTTP exchange. */
struct exchange {
	const char *method; /* "GET", "POST", "PATCH" */
	const char *path;   /* after the base URL, starting with '/' */
	const char *body;   /* NULL for none */
	const char *ctype;  /* Content-Type of body */
	bool api_auth;	    /* send Basic or Bearer credentials */
	long status;	    /* OUT: HTTP status */
	struct buf answer;  /* OUT: body, capped */
};

/* m->curl created on first use (MW_ENOMEM when it cannot be). */
enum mw_err mautic_ensure_curl(struct mautic *m);

/* One exchange with Mautic within the request's time budget (the
 * max_parallel slot taken around it): x->status and x->answer are set. */
enum mw_err mautic_perform(struct mautic *m, struct exchange *x);

/* The error type and message of an error document, "" where absent. */
void mautic_error_info(const struct buf *answer, char *type, size_t typesz,
		       char *msg, size_t msgsz);

/* Forget the token in memory (wiped). */
void mautic_drop_token(struct mautic *m);

/* mautic_token.c: a valid token in m->token, from memory, the cache file
 * or Mautic (stale: the one we hold was refused, fetch a new one). */
enum mw_err mautic_token_get(struct mautic *m, bool stale);

/* A refused token: removed from the cache file when it is the one there. */
void mautic_token_refused(struct mautic *m);

#endif
