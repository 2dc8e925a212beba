/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * err.h - the one error type of mautic-wp.
 *
 * Every verb that can fail returns enum mw_err.  The detail is logged once,
 * where it is known; callers pass the code up unchanged.
 */
#ifndef MW_ERR_H
#define MW_ERR_H

enum mw_err {
	MW_OK = 0,
	MW_ENOMEM,    /* allocation failed */
	MW_EINPUT,    /* malformed request: 400 */
	MW_EAUTH,     /* bad access key or signature: 403 */
	MW_EMETHOD,   /* HTTP method not allowed: 405 */
	MW_ETOOBIG,   /* query or body over the limit: 413 */
	MW_ECONFIG,   /* configuration error: 500 */
	MW_EUPSTREAM, /* Mautic answered with an error or garbage: 502 */
	MW_ETIMEOUT,  /* Mautic did not answer within the budget: 504 */
	MW_EDB,	      /* database unavailable: 503 */
	MW_EINTERNAL, /* anything else: 500 */
	MW_EFULL,     /* the local queue is full: 503 */
	MW_ERR__MAX
};

/* On a function whose result must not be dropped: a verb that can fail
 * (enum mw_err) or one that returns an allocation.  Ignoring the result
 * is a warning (an error with -Werror); a (void) cast does not silence
 * it, so handle the result. */
#define MW_MUST_CHECK __attribute__((warn_unused_result))

/* Short stable code for JSON answers ("bad_request"); never NULL. */
const char *mw_strerror(enum mw_err e);

/* HTTP status for an error (200 for MW_OK). */
int mw_http_status(enum mw_err e);

#endif
