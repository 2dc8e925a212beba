/* SPDX-License-Identifier: GPL-2.0-or-later */
/* request.c - CGI request validation and decoding. */
#include "request/request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/contact.h"
#include "base/log.h"
#include "base/strparse.h"
#include "base/utf8.h"
#include "formats/wptext.h"

/* The parameters we know; anything else is ignored, as PHP would. */
enum param {
	P_ACTION,
	P_KEY,
	P_CONTACT,
	P_ROLE,
	P_NOTIFY,
	P_EMAIL,
	P_ASYNC,
	P_DRYRUN,
	P__MAX
};

static const char *const param_names[P__MAX] = {
	"wpf_action",	     /* P_ACTION */
	"access_key",	     /* P_KEY */
	"contact_id",	     /* P_CONTACT */
	"role",		     /* P_ROLE */
	"send_notification", /* P_NOTIFY */
	"email",	     /* P_EMAIL */
	"async",	     /* P_ASYNC */
	"dry_run",	     /* P_DRYRUN */
};

static const char *const action_names[ACTION__MAX] = {
	"add",	       /* ACTION_ADD */
	"update",      /* ACTION_UPDATE */
	"update_tags", /* ACTION_UPDATE_TAGS */
	"test",	       /* ACTION_TEST */
};

/* Decoded parameter values; a body value replaces a query value.  A value
 * that cannot be used is only marked: the key is checked first, so that a
 * caller without it learns nothing more than 403. */
struct params {
	char *v[P__MAX];    /* owned, NUL-terminated, or NULL */
	size_t len[P__MAX]; /* byte lengths */
	bool bad[P__MAX];   /* given twice, too long, or not clean UTF-8 */
	const char *why;    /* the first such problem, for the answer */
};

const char *
req_action_name(enum action a)
{
	return a < ACTION__MAX ? action_names[a] : "?";
}

static void
params_free(struct params *p)
{
	size_t i;

	for (i = 0; i < P__MAX; i++) {
		if (p->v[i] != NULL)
			explicit_bzero(p->v[i], p->len[i]);
		free(p->v[i]);
		p->v[i] = NULL;
	}
}

static void
set_msg(char *msg, size_t msgsz, const char *text)
{
	if (msgsz > 0)
		snprintf(msg, msgsz, "%s", text);
}

/* Decode one name=value pair into p.  seen marks names given earlier in
 * the same source: a repeated known name is ambiguous and refused. */
static enum mw_err
add_pair(struct params *p, bool *seen, const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);
	size_t nlen = eq ? (size_t)(eq - s) : len, vlen = 0, dlen;
	char *name, *val;
	size_t i;

	name = str_urldecode(s, nlen, &dlen);
	if (name == NULL)
		return MW_ENOMEM;
	for (i = 0; i < P__MAX; i++)
		if (strlen(param_names[i]) == dlen &&
		    memcmp(name, param_names[i], dlen) == 0)
			break;
	free(name);
	if (i == P__MAX)
		return MW_OK;
	if (seen[i]) {
		p->bad[i] = true;
		if (p->why == NULL)
			p->why = "a parameter was given twice";
		return MW_OK;
	}
	seen[i] = true;
	val = str_urldecode(eq ? eq + 1 : s + len, eq ? len - nlen - 1 : 0,
			    &vlen);
	if (val == NULL)
		return MW_ENOMEM;
	if (vlen > REQ_VALUE_MAX || !utf8_is_valid(val, vlen, UTF8_NO_CTRL)) {
		explicit_bzero(val, vlen);
		free(val);
		p->bad[i] = true;
		if (p->why == NULL)
			p->why =
				"a parameter is too long or has control characters or invalid UTF-8";
		return MW_OK;
	}
	if (p->v[i] != NULL) {
		explicit_bzero(p->v[i], p->len[i]);
		free(p->v[i]);
	}
	p->v[i] = val;
	p->len[i] = vlen;
	return MW_OK;
}

/* Split s[0..len) on '&' and decode every pair into p. */
static enum mw_err
decode_form(struct params *p, const char *s, size_t len)
{
	bool seen[P__MAX] = {false};
	size_t start = 0, i;
	enum mw_err rc;

	if (memchr(s, '\0', len) != NULL) {
		if (p->why == NULL)
			p->why = "the request has a NUL byte";
		return MW_OK;
	}
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '&')
			continue;
		if (i > start) {
			rc = add_pair(p, seen, s + start, i - start);
			if (rc != MW_OK)
				return rc;
		}
		start = i + 1;
	}
	return MW_OK;
}

/* Media type of CONTENT_TYPE without parameters, compared ignoring case. */
static bool
is_type(const char *ct, const char *type)
{
	size_t n = strcspn(ct, "; \t");

	return str_ieq(ct, n, type);
}

bool
req_form_or_empty(const struct req_env *env)
{
	const char *cl = env->content_length;

	if (cl == NULL || cl[0] == '\0' || strcmp(cl, "0") == 0)
		return true;
	return env->content_type != NULL &&
	       is_type(env->content_type, "application/x-www-form-urlencoded");
}

static enum mw_err
check_method(const struct req_env *env)
{
	if (env->method == NULL || (strcmp(env->method, "GET") != 0 &&
				    strcmp(env->method, "POST") != 0))
		return MW_EMETHOD;
	return MW_OK;
}

ssize_t
req_read_fd(void *ctx, char *buf, size_t n)
{
	ssize_t r;

	do
		r = read(*(const int *)ctx, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

ssize_t
req_read_mem(void *ctx, char *buf, size_t n)
{
	struct req_mem *m = ctx;

	if (n > m->n - m->off)
		n = m->n - m->off;
	if (n > 0)
		memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

/* Read and drop up to n bytes (at most MW_DRAIN_MAX): a web server that
 * is still writing a refused body to us would otherwise turn our 413 into
 * its own 502. */
static void
drain(req_read_fn fn, void *ctx, uint64_t n)
{
	char sink[65536];

	if (n > MW_DRAIN_MAX)
		n = MW_DRAIN_MAX;
	while (n > 0) {
		ssize_t r = fn(ctx, sink,
			       n < sizeof(sink) ? (size_t)n : sizeof(sink));

		if (r <= 0)
			return;
		n -= (uint64_t)r;
	}
}

enum mw_err
req_read_body_fn(const struct req_env *env, req_read_fn fn, void *ctx,
		 char **body, size_t *bodysz)
{
	const char *cl = env->content_length;
	uint64_t n = 0;
	size_t got = 0;
	char *b;
	enum mw_err rc;

	*body = NULL;
	*bodysz = 0;
	rc = check_method(env);
	if (rc != MW_OK)
		return rc;
	if (cl != NULL && cl[0] != '\0' &&
	    str_u64(cl, strlen(cl), 0, UINT64_MAX / 2, &n) != MW_OK)
		return MW_EINPUT;
	if (n > MW_BODY_MAX) {
		drain(fn, ctx, n);
		return MW_ETOOBIG;
	}
	if (n == 0)
		return MW_OK;
	b = malloc((size_t)n + 1);
	if (b == NULL)
		return MW_ENOMEM;
	while (got < n) {
		ssize_t r = fn(ctx, b + got, (size_t)n - got);

		if (r <= 0) {
			free(b);
			return MW_EINPUT;
		}
		got += (size_t)r;
	}
	b[n] = '\0';
	*body = b;
	*bodysz = (size_t)n;
	return MW_OK;
}

enum mw_err
req_read_body(const struct req_env *env, int fd, char **body, size_t *bodysz)
{
	return req_read_body_fn(env, req_read_fd, &fd, body, bodysz);
}

/* The access key: header X-Access-Key, else the access_key parameter. */
static enum mw_err
check_key(const struct req_env *env, const struct params *p,
	  const struct cfg *cfg, char *msg, size_t msgsz)
{
	const char *given = p->v[P_KEY];
	size_t glen = p->len[P_KEY];

	if (env->access_key != NULL && env->access_key[0] != '\0') {
		given = env->access_key;
		glen = strlen(given);
	} else if (p->bad[P_KEY]) {
		set_msg(msg, msgsz, "access key invalid");
		return MW_EAUTH;
	}
	if (given == NULL || glen == 0) {
		set_msg(msg, msgsz, "access key missing");
		return MW_EAUTH;
	}
	if (!str_ct_equal(given, glen, cfg->access_key,
			  strlen(cfg->access_key))) {
		set_msg(msg, msgsz, "access key invalid");
		return MW_EAUTH;
	}
	return MW_OK;
}

static enum mw_err
check_signature(const struct req_env *env, const char *body, size_t bodysz,
		const struct cfg *cfg, req_sig_fn sig, char *msg, size_t msgsz)
{
	const char *got = env->signature;
	size_t glen;

	if (got == NULL || got[0] == '\0') {
		set_msg(msg, msgsz, "Webhook-Signature missing");
		return MW_EAUTH;
	}
	if (sig == NULL)
		return MW_EINTERNAL; /* see req_parse_with() */
	glen = strlen(got);
	str_trim(&got, &glen);
	if (!sig(cfg->secret, body, bodysz, got, glen)) {
		set_msg(msg, msgsz, "Webhook-Signature invalid");
		return MW_EAUTH;
	}
	return MW_OK;
}

static enum mw_err
parse_action(const struct params *p, struct request *r, char *msg, size_t msgsz)
{
	size_t i;

	if (p->v[P_ACTION] == NULL || p->len[P_ACTION] == 0) {
		set_msg(msg, msgsz, "wpf_action missing");
		return MW_EINPUT;
	}
	for (i = 0; i < ACTION__MAX; i++)
		if (str_ieq(p->v[P_ACTION], p->len[P_ACTION],
			    action_names[i])) {
			r->action = (enum action)i;
			return MW_OK;
		}
	set_msg(msg, msgsz,
		"wpf_action must be add, update, update_tags or test");
	return MW_EINPUT;
}

/* true/1/yes/on and false/0/no/off/empty; anything else is an error. */
static enum mw_err
parse_flag(const char *v, size_t len, bool *out)
{
	static const char *const yes[] = {"true", "1", "yes", "on"};
	static const char *const no[] = {"false", "0", "no", "off", ""};
	size_t i;

	*out = false;
	if (v == NULL)
		return MW_OK;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (str_ieq(v, len, yes[i])) {
			*out = true;
			return MW_OK;
		}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (str_ieq(v, len, no[i]))
			return MW_OK;
	return MW_EINPUT;
}

/* Move an optional text parameter into the request, checking its size. */
static enum mw_err
take_text(struct params *p, enum param which, size_t max, char **dst)
{
	if (p->v[which] == NULL || p->len[which] == 0)
		return MW_OK;
	if (p->len[which] > max)
		return MW_EINPUT;
	*dst = p->v[which];
	p->v[which] = NULL;
	return MW_OK;
}

/* Role slugs are sanitize_key()'d ([a-z0-9_-]) and role names are stored
 * in English in {prefix}user_roles (translations are for display only), so
 * a role is [A-Za-z0-9 _.-].  Anything else (markup, SQL, invisible
 * Unicode) is refused rather than looked up. */
static bool
is_role_name(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
			     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.-");

	return n > 0 && s[n] == '\0' && s[0] != ' ' && s[n - 1] != ' ';
}

/* Everything after the key check: action, ids, flags, texts, JSON. */
static enum mw_err
decode_rest(struct params *p, const char *body, size_t bodysz,
	    struct request *r, char *msg, size_t msgsz)
{
	enum mw_err rc;

	rc = parse_action(p, r, msg, msgsz);
	if (rc != MW_OK)
		return rc;
	if (p->v[P_CONTACT] != NULL &&
	    str_u64(p->v[P_CONTACT], p->len[P_CONTACT], 1, MW_ID_MAX,
		    &r->contact_id) != MW_OK) {
		set_msg(msg, msgsz,
			"contact_id must be a decimal number from 1 to 2^53");
		return MW_EINPUT;
	}
	if (parse_flag(p->v[P_NOTIFY], p->len[P_NOTIFY],
		       &r->send_notification) != MW_OK ||
	    parse_flag(p->v[P_DRYRUN], p->len[P_DRYRUN], &r->dry_run) !=
		    MW_OK) {
		set_msg(msg, msgsz,
			"send_notification and dry_run must be true or false");
		return MW_EINPUT;
	}
	/* WP Fusion takes any value of async; only a yes queues here, and
	 * anything else is the synchronous path, never a 400. */
	if (parse_flag(p->v[P_ASYNC], p->len[P_ASYNC], &r->async) != MW_OK)
		r->async = false;
	if (take_text(p, P_ROLE, REQ_ROLE_MAX, &r->role) != MW_OK ||
	    (r->role != NULL && !is_role_name(r->role))) {
		set_msg(msg, msgsz,
			"role must be a role slug or name ([A-Za-z0-9 _.-], at most 64)");
		return MW_EINPUT;
	}
	if (take_text(p, P_EMAIL, REQ_EMAIL_MAX, &r->email) != MW_OK ||
	    (r->email != NULL && !wptext_is_email(r->email))) {
		set_msg(msg, msgsz, "email is not an e-mail address");
		return MW_EINPUT;
	}
	if (r->json) {
		r->contact_id = 0;
		rc = contact_parse_webhook(body, bodysz, &r->events,
					   &r->nevents);
		if (rc == MW_EINPUT)
			set_msg(msg, msgsz,
				"the JSON body is not a Mautic webhook payload");
		return rc;
	}
	if (r->action != ACTION_TEST && r->contact_id == 0) {
		set_msg(msg, msgsz, "contact_id missing");
		return MW_EINPUT;
	}
	return MW_OK;
}

enum mw_err
req_parse_with(const struct req_env *env, const char *body, size_t bodysz,
	       const struct cfg *cfg, req_sig_fn sig, struct request *r,
	       char *msg, size_t msgsz)
{
	struct params p;
	const char *q = env->query ? env->query : "";
	const char *ct = env->content_type ? env->content_type : "";
	enum mw_err rc;

	memset(r, 0, sizeof(*r));
	memset(&p, 0, sizeof(p));
	set_msg(msg, msgsz, "");
	if (check_method(env) != MW_OK) {
		set_msg(msg, msgsz, "only GET and POST are allowed");
		return MW_EMETHOD;
	}
	if (strlen(q) > MW_QUERY_MAX || bodysz > MW_BODY_MAX) {
		set_msg(msg, msgsz, "the query string or body is too large");
		return MW_ETOOBIG;
	}
	if (bodysz > 0 && is_type(ct, "application/json"))
		r->json = true;
	else if (bodysz > 0 &&
		 !is_type(ct, "application/x-www-form-urlencoded")) {
		set_msg(msg, msgsz,
			"unsupported Content-Type (use application/x-www-form-urlencoded or application/json)");
		return MW_EINPUT;
	}
	rc = decode_form(&p, q, strlen(q));
	if (rc == MW_OK && bodysz > 0 && !r->json)
		rc = decode_form(&p, body, bodysz);
	if (rc == MW_OK)
		rc = check_key(env, &p, cfg, msg, msgsz);
	if (rc == MW_OK && r->json && cfg->secret != NULL) {
		rc = check_signature(env, body, bodysz, cfg, sig, msg, msgsz);
		r->signed_payload = rc == MW_OK;
	}
	if (rc == MW_OK && p.why != NULL) {
		set_msg(msg, msgsz, p.why);
		rc = MW_EINPUT;
	}
	if (rc == MW_OK)
		rc = decode_rest(&p, body, bodysz, r, msg, msgsz);
	params_free(&p);
	return rc;
}

void
req_free(struct request *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->role);
	free(r->email);
	for (i = 0; i < r->nevents; i++)
		event_free(&r->events[i]);
	free(r->events);
	memset(r, 0, sizeof(*r));
}
