/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * request.h - turning the CGI environment and body into a checked request.
 *
 * Order, as in kcgi: method, sizes, access key, signature, and only then the
 * form or JSON is decoded into values we act on.  No connection is open
 * while any of this runs.
 */
#ifndef MW_REQUEST_H
#define MW_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"
#include "base/err.h"
#include "formats/model.h"

#define MW_QUERY_MAX 8192u     /* bytes of QUERY_STRING */
#define MW_BODY_MAX (4u << 20) /* bytes of a POST body */
#define MW_DRAIN_MAX                                                           \
	(64u << 20)	    /* bytes of a refused body read and dropped        \
			     */
#define REQ_VALUE_MAX 1024u /* bytes of one decoded parameter */
#define REQ_EMAIL_MAX 100u  /* wp_users.user_email */
#define REQ_ROLE_MAX 64u    /* role slug or display name */
#define REQ_MSG_MAX 160u    /* size of the caller's message buffer */

enum action {
	ACTION_ADD,
	ACTION_UPDATE,
	ACTION_UPDATE_TAGS,
	ACTION_TEST,
	ACTION__MAX
};

/* The CGI variables we read; all borrowed, any may be NULL. */
struct req_env {
	const char *method;	    /* REQUEST_METHOD */
	const char *query;	    /* QUERY_STRING */
	const char *content_length; /* CONTENT_LENGTH; "" (nginx) is 0 */
	const char *content_type;   /* CONTENT_TYPE */
	const char *access_key;	    /* HTTP_X_ACCESS_KEY */
	const char *signature;	    /* HTTP_WEBHOOK_SIGNATURE */
};

struct request {
	enum action action;	      /* wpf_action */
	bool json;		      /* body is a global webhook */
	bool signed_payload;	      /* signature verified: payload usable */
	uint64_t contact_id;	      /* form requests; 0 for JSON */
	char *role;		      /* owned or NULL */
	char *email;		      /* owned or NULL */
	bool send_notification;	      /* welcome e-mail wanted */
	bool dry_run;		      /* plan only, write nothing */
	bool async;		      /* async=1|true|yes|on: queue it */
	struct webhook_event *events; /* JSON: owned, one per contact */
	size_t nevents;
};

/* Name of an action as clients spell it ("update_tags"). */
const char *req_action_name(enum action a);

/* A body source: read up to n bytes into buf; returns the count, 0 at the
 * end, negative on error (like read(2), EINTR handled inside). */
typedef ssize_t (*req_read_fn)(void *ctx, char *buf, size_t n);

/* req_read_fn for a file descriptor; ctx points to the int fd. */
ssize_t req_read_fd(void *ctx, char *buf, size_t n);

/* req_read_fn for bytes in memory (a body read before); ctx points to a
 * struct req_mem. */
struct req_mem {
	const char *p;
	size_t n, off;
};
ssize_t req_read_mem(void *ctx, char *buf, size_t n);

/* req_read_body() from any source (FastCGI streams). */
enum mw_err req_read_body_fn(const struct req_env *env, req_read_fn fn,
			     void *ctx, char **body /* OUT */,
			     size_t *bodysz /* OUT */) MW_MUST_CHECK;

/* Check the method and CONTENT_LENGTH, then read exactly that many bytes
 * from fd.  *body is allocated (caller frees; NULL when empty).  Errors:
 * MW_EMETHOD, MW_ETOOBIG, MW_EINPUT (bad length, short read). */
enum mw_err req_read_body(const struct req_env *env, int fd,
			  char **body /* OUT */,
			  size_t *bodysz /* OUT */) MW_MUST_CHECK;

/* Validate and decode a request whose body was read.  On error, msg gets a
 * short text for the answer (never secret, never echoed input).  *out must
 * be released with req_free() in every case. */
enum mw_err req_parse(const struct req_env *env, const char *body,
		      size_t bodysz, const struct cfg *cfg,
		      struct request *out /* OUT */, char *msg,
		      size_t msgsz) MW_MUST_CHECK;

/* Whether got is the Webhook-Signature of body with secret (compared in
 * constant time). */
typedef bool (*req_sig_fn)(const char *secret, const char *body, size_t bodysz,
			   const char *got, size_t gotlen);

/* req_parse with the signature check given.  With NULL (a caller that
 * does not link the cryptography, the intake's fast path), a JSON body
 * that must be verified is MW_EINTERNAL: serve it with req_parse. */
enum mw_err req_parse_with(const struct req_env *env, const char *body,
			   size_t bodysz, const struct cfg *cfg, req_sig_fn sig,
			   struct request *out /* OUT */, char *msg,
			   size_t msgsz) MW_MUST_CHECK;

/* The request has no body, or a form body (not JSON). */
bool req_form_or_empty(const struct req_env *env);

/* Release what a request owns.  NULL is fine. */
void req_free(struct request *r);

/* base64(HMAC-SHA256(body, secret)) into out (at least 45 bytes). */
void req_signature(const char *secret, const char *body, size_t bodysz,
		   char *out);

#endif
