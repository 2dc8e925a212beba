/* action.c - dispatch of webhook actions and the JSON answer. */
#include "action/action.h"

#include <stdarg.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "action/action_int.h"
#include "config/config.h"
#include "formats/contact.h"
#include "base/clock.h"
#include "base/log.h"
#include "mautic/mautic.h"
#include "formats/phpser.h"
#include "config/wpf_options.h"
#include "wp/store.h"

#define TAGS_META "mautic_tags"
#define CONTACT_META "mautic_contact_id"
#define TAGS_SER_MAX (1u << 20) /* bytes of a serialized tag list */

static const char *const outcome_names[OUT__MAX] = {
	"created",   /* OUT_CREATED */
	"updated",   /* OUT_UPDATED */
	"unchanged", /* OUT_UNCHANGED */
	"no_user",   /* OUT_NO_USER */
	"skipped",   /* OUT_SKIPPED */
};

typedef enum mw_err (*handler_fn)(struct run *);

static enum mw_err do_test(struct run *r);
static enum mw_err do_update_tags(struct run *r);

/* The dispatch table, one row per wpf_action. */
static const handler_fn handlers[ACTION__MAX] = {
	action_add,	/* ACTION_ADD */
	action_update,	/* ACTION_UPDATE */
	do_update_tags, /* ACTION_UPDATE_TAGS */
	do_test,	/* ACTION_TEST */
};

void
job_change(struct job *j, const char *fmt, ...)
{
	size_t used = strlen(j->changes);
	va_list ap;

	if (used > 0 && used + 2 < sizeof(j->changes)) {
		memcpy(j->changes + used, ", ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(j->changes + used, sizeof(j->changes) - used, fmt, ap);
	va_end(ap);
}

void
job_note(struct job *j, const char *fmt, ...)
{
	size_t used = strlen(j->note);
	va_list ap;

	if (used > 0 && used + 2 < sizeof(j->note)) {
		memcpy(j->note + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(j->note + used, sizeof(j->note) - used, fmt, ap);
	va_end(ap);
}

const char *
action_status_text(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 405:
		return "Method Not Allowed";
	case 413:
		return "Payload Too Large";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "Internal Server Error";
	}
}

static void
new_request_id(char out[17])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[8] = {0};
	size_t i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		/* Not secret, only for matching log lines to answers. */
		long long t = mw_now_ms();

		memcpy(raw, &t, sizeof(raw));
	}
	for (i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[16] = '\0';
}

enum mw_err
run_open_wp(struct run *r)
{
	struct action_conn *c = r->conn;
	enum mw_err rc;

	if (r->wp != NULL)
		return MW_OK;
	/* A kept connection is checked first: the server may have gone
	 * away (restart, wait_timeout) since the last request. */
	if (c->wp != NULL && !wp_ping(c->wp)) {
		log_info("wpstore: connection lost, reconnecting");
		wp_close(c->wp);
		c->wp = NULL;
	}
	if (c->wp == NULL) {
		rc = wp_open(r->cfg, &c->wp);
		if (rc != MW_OK)
			return rc;
	}
	r->wp = c->wp;
	r->sql0 = wp_queries(r->wp);
	return MW_OK;
}

enum mw_err
run_open_mautic(struct run *r)
{
	struct action_conn *c = r->conn;
	enum mw_err rc;

	if (r->mautic != NULL)
		return MW_OK;
	if (c->mautic == NULL) {
		rc = mautic_open(r->cfg, &c->mautic);
		if (rc != MW_OK)
			return rc;
	} else {
		mautic_begin(c->mautic);
	}
	r->mautic = c->mautic;
	r->calls0 = mautic_calls(r->mautic);
	return MW_OK;
}

static enum mw_err
do_test(struct run *r)
{
	(void)r;
	return MW_OK;
}

/* Build the job list: the form's contact or the webhook's events. */
static enum mw_err
make_jobs(struct run *r)
{
	struct request *q = r->req;
	size_t i, n = q->json ? q->nevents : 1;

	if (q->action == ACTION_TEST)
		return MW_OK; /* no contact: the answer has no results */
	r->jobs = calloc(n ? n : 1, sizeof(*r->jobs));
	if (r->jobs == NULL)
		return MW_ENOMEM;
	r->njobs = n;
	for (i = 0; i < n; i++)
		r->jobs[i].outcome = OUT_UNCHANGED;
	if (!q->json) {
		r->jobs[0].contact_id = q->contact_id;
		return MW_OK;
	}
	for (i = 0; i < n; i++) {
		struct webhook_event *ev = &q->events[i];

		r->jobs[i].contact_id = ev->contact_id;
		r->jobs[i].deleted = ev->kind == EVENT_DELETE;
		if (q->signed_payload)
			r->jobs[i].payload = &ev->contact;
	}
	return MW_OK;
}

/* Forget what a failed transaction decided, keep what was read. */
static void
jobs_reset(struct run *r)
{
	size_t i;

	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];
		struct job keep = *j;

		/* The contact read from Mautic stays (same address). */
		memset(&j->fetched, 0, sizeof(j->fetched));
		job_free(j);
		j->contact_id = keep.contact_id;
		j->payload = keep.payload;
		j->deleted = keep.deleted;
		j->fetched = keep.fetched;
		j->data = keep.data;
		j->outcome = OUT_UNCHANGED;
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Lock every user the jobs will write, in ascending ID order, so that two
 * requests touching the same users never wait on each other crosswise. */
enum mw_err
run_lock_users(struct run *r)
{
	uint64_t *ids;
	size_t i, n = 0;
	enum mw_err rc = MW_OK;

	ids = calloc(r->njobs + 1, sizeof(*ids));
	if (ids == NULL)
		return MW_ENOMEM;
	for (i = 0; i < r->njobs; i++)
		if (r->jobs[i].uid != 0 && !r->jobs[i].deleted)
			ids[n++] = r->jobs[i].uid;
	qsort(ids, n, sizeof(*ids), cmp_u64);
	for (i = 0; rc == MW_OK && i < n; i++)
		if (i == 0 || ids[i] != ids[i - 1]) {
			rc = wp_user_lock(r->wp, ids[i]);
			if (rc == MW_EINPUT)
				rc = MW_OK; /* deleted meanwhile: the job says
					       so */
		}
	free(ids);
	return rc;
}

/* Find the WordPress user of a job: by contact id, else by e-mail. */
enum mw_err
run_find_user(struct run *r, struct job *j)
{
	enum mw_err rc;

	rc = wp_user_by_contact(r->wp, j->contact_id, &j->uid);
	if (rc != MW_OK || j->uid != 0)
		return rc;
	if (r->req->email != NULL && !r->req->json) {
		rc = wp_user_by_email(r->wp, r->req->email, &j->uid);
		j->link = rc == MW_OK && j->uid != 0;
	}
	return rc;
}

enum mw_err
run_load_contact(struct run *r, struct job *j, bool need_fields)
{
	enum mw_err rc;

	if (j->data != NULL)
		return MW_OK; /* loaded before a deadlock retry */
	if (j->payload != NULL && j->payload->has_tags &&
	    (!need_fields || j->payload->has_fields)) {
		j->data = j->payload;
		return MW_OK;
	}
	rc = run_open_mautic(r);
	if (rc == MW_OK)
		rc = mautic_get_contact(r->mautic, j->contact_id, &j->fetched);
	if (rc == MW_OK)
		j->data = &j->fetched;
	/* In a batch, one contact deleted since the event must not lose the
	 * others: it is skipped.  A single contact stays an error (502). */
	if (rc == MW_EUPSTREAM && r->req->json &&
	    mautic_last_status(r->mautic) == 404) {
		j->deleted = true;
		j->outcome = OUT_SKIPPED;
		job_note(j,
			 "Mautic no longer has this contact; nothing changed");
		rc = MW_OK;
	}
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Same set of names, whatever the order (both lists are duplicate-free). */
static bool
same_set(char **a, size_t na, char **b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	qsort(a, na, sizeof(*a), cmp_str);
	qsort(b, nb, sizeof(*b), cmp_str);
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

/* Store the job's tags as WP Fusion does: a serialized list in
 * mautic_tags, the row deleted when empty, nothing written when the set is
 * unchanged.  *changed tells whether anything was written. */
enum mw_err
run_store_tags(struct run *r, struct job *j)
{
	const struct contact *c = j->data;
	char *old = NULL, **oldtags = NULL, **now = NULL;
	size_t oldlen = 0, nold = 0, i;
	struct buf ser;
	enum mw_err rc;

	buf_init(&ser, TAGS_SER_MAX);
	rc = wp_meta_get(r->wp, j->uid, TAGS_META, &old, &oldlen);
	if (rc != MW_OK)
		goto out;
	/* A corrupt value reads as no tags, as WP Fusion reads it. */
	if (old != NULL &&
	    phps_unserialize_strlist(old, oldlen, &oldtags, &nold) != MW_OK) {
		oldtags = NULL;
		nold = 0;
	}
	rc = MW_ENOMEM;
	now = calloc(c->ntags ? c->ntags : 1, sizeof(*now));
	if (now == NULL)
		goto out;
	if (c->ntags > 0)
		memcpy(now, c->tags, c->ntags * sizeof(*now));
	rc = MW_OK;
	if (old != NULL && same_set(oldtags, nold, now, c->ntags))
		goto out;
	if (old == NULL && c->ntags == 0)
		goto out;
	j->changed = true;
	job_change(j, c->ntags > 0 ? "mautic_tags" : "mautic_tags deleted");
	if (c->ntags == 0) {
		rc = wp_meta_delete(r->wp, j->uid, TAGS_META);
		goto out;
	}
	rc = phps_serialize_strlist((const char *const *)c->tags, c->ntags,
				    &ser);
	if (rc == MW_OK)
		rc = wp_meta_set(r->wp, j->uid, TAGS_META, ser.p, ser.len);
out:
	for (i = 0; i < nold; i++)
		free(oldtags[i]);
	free(oldtags);
	free(now);
	free(old);
	buf_free(&ser);
	return rc;
}

/* Write one job inside the request's transaction. */
static enum mw_err
write_tags_job(struct run *r, struct job *j)
{
	char cid[24];
	enum mw_err rc;

	rc = wp_user_lock(r->wp, j->uid);
	if (rc == MW_EINPUT) {
		j->outcome = OUT_NO_USER;
		job_note(j, "the user was deleted meanwhile");
		return MW_OK;
	}
	if (rc != MW_OK)
		return rc;
	if (j->link) {
		snprintf(cid, sizeof(cid), "%llu",
			 (unsigned long long)j->contact_id);
		rc = wp_meta_set(r->wp, j->uid, CONTACT_META, cid, strlen(cid));
		if (rc != MW_OK)
			return rc;
		j->changed = true;
		job_change(j, "mautic_contact_id");
		job_note(j, "user found by email and linked to the contact");
	}
	rc = run_store_tags(r, j);
	if (rc == MW_OK)
		j->outcome = j->changed ? OUT_UPDATED : OUT_UNCHANGED;
	return rc;
}

enum mw_err
run_load_all(struct run *r, bool find_first, bool need_fields)
{
	enum mw_err rc = MW_OK;
	size_t i;

	for (i = 0; rc == MW_OK && i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		if (j->deleted) {
			j->outcome = OUT_SKIPPED;
			job_note(j,
				 "contact deleted in Mautic; nothing changed");
			continue;
		}
		if (find_first) {
			rc = run_find_user(r, j);
			if (rc != MW_OK)
				break;
			if (j->uid == 0) {
				j->outcome = OUT_NO_USER;
				continue;
			}
		}
		rc = run_load_contact(r, j, need_fields);
	}
	return rc;
}

enum mw_err
run_finish(struct run *r, enum mw_err rc)
{
	if (rc != MW_OK || r->req->dry_run)
		wp_rollback(r->wp);
	else
		rc = wp_commit(r->wp);
	return rc;
}

/* update_tags: read everything first (users, Mautic), then write every
 * contact in one transaction. */
static enum mw_err
do_update_tags(struct run *r)
{
	enum mw_err rc;
	size_t i;

	rc = run_open_wp(r);
	if (rc == MW_OK)
		rc = run_load_all(r, true, false);
	if (rc == MW_OK)
		rc = wp_begin(r->wp);
	if (rc == MW_OK)
		rc = run_lock_users(r);
	for (i = 0; rc == MW_OK && i < r->njobs; i++)
		if (r->jobs[i].uid != 0 && !r->jobs[i].deleted)
			rc = write_tags_job(r, &r->jobs[i]);
	return run_finish(r, rc);
}

static void
add_result(cJSON *arr, const struct job *j, bool dry_run)
{
	cJSON *o = cJSON_CreateObject();
	char num[24];

	if (o == NULL)
		return;
	/* Ids as exact decimals: cJSON prints numbers with 15 digits. */
	snprintf(num, sizeof(num), "%llu", (unsigned long long)j->contact_id);
	cJSON_AddRawToObject(o, "contact_id", num);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)j->uid);
	if (j->uid != 0)
		cJSON_AddRawToObject(o, "user_id", num);
	else
		cJSON_AddNullToObject(o, "user_id");
	cJSON_AddStringToObject(o, "outcome", outcome_names[j->outcome]);
	if (j->data != NULL && j->outcome != OUT_NO_USER)
		cJSON_AddNumberToObject(o, "tags", (double)j->data->ntags);
	if (j->role != NULL)
		cJSON_AddStringToObject(o, "role", j->role);
	if (j->note[0] != '\0')
		cJSON_AddStringToObject(o, "note", j->note);
	if (dry_run && j->changes[0] != '\0')
		cJSON_AddStringToObject(o, "changes", j->changes);
	cJSON_AddItemToArray(arr, o);
}

static char *
answer_ok(const struct run *r)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	char *text;
	size_t i;

	if (root == NULL)
		return NULL;
	cJSON_AddTrueToObject(root, "ok");
	cJSON_AddStringToObject(root, "action",
				req_action_name(r->req->action));
	cJSON_AddStringToObject(root, "request_id", r->reqid);
	if (r->req->dry_run)
		cJSON_AddTrueToObject(root, "dry_run");
	if (r->req->action == ACTION_TEST)
		cJSON_AddStringToObject(root, "message", "access key accepted");
	arr = r->req->action == ACTION_TEST
		      ? NULL
		      : cJSON_AddArrayToObject(root, "results");
	for (i = 0; arr != NULL && i < r->njobs; i++)
		add_result(arr, &r->jobs[i], r->req->dry_run);
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return text;
}

static char *
answer_error(enum mw_err e, const char *msg, const char *reqid)
{
	cJSON *root = cJSON_CreateObject();
	char *text;

	if (root == NULL)
		return NULL;
	cJSON_AddFalseToObject(root, "ok");
	cJSON_AddStringToObject(root, "error", mw_strerror(e));
	cJSON_AddStringToObject(root, "message", msg);
	cJSON_AddStringToObject(root, "request_id", reqid);
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return text;
}

/* Default message for an error that has no more specific one. */
static const char *
error_message(enum mw_err e)
{
	switch (e) {
	case MW_ECONFIG:
		return "server configuration error (details in the server's error log)";
	case MW_EUPSTREAM:
		return "Mautic answered with an error or an unreadable document";
	case MW_ETIMEOUT:
		return "Mautic did not answer in time";
	case MW_EDB:
		return "the WordPress database is unavailable; retry later";
	case MW_EMETHOD:
		return "only GET and POST are allowed";
	case MW_ETOOBIG:
		return "the request is too large";
	case MW_EAUTH:
		return "access denied";
	case MW_EINPUT:
		return "bad request";
	case MW_OK:
	case MW_ENOMEM:
	case MW_EINTERNAL:
	case MW_ERR__MAX:
		break;
	}
	return "internal error";
}

static void
log_done(const struct run *r, enum mw_err rc, int status, long long ms)
{
	const struct job *j = r->njobs == 1 ? &r->jobs[0] : NULL;
	const char *action = r->req ? req_action_name(r->req->action) : "-";
	size_t i;

	for (i = 0; r->njobs > 1 && i < r->njobs; i++)
		log_info("result contact=%llu user=%llu outcome=%s",
			 (unsigned long long)r->jobs[i].contact_id,
			 (unsigned long long)r->jobs[i].uid,
			 rc == MW_OK ? outcome_names[r->jobs[i].outcome]
				     : "failed");
	if (j != NULL)
		log_info(
			"done action=%s contact=%llu user=%llu outcome=%s status=%d ms=%lld mautic_calls=%u sql=%u",
			action, (unsigned long long)j->contact_id,
			(unsigned long long)j->uid,
			rc == MW_OK ? outcome_names[j->outcome]
				    : mw_strerror(rc),
			status, ms,
			r->mautic ? mautic_calls(r->mautic) - r->calls0 : 0,
			r->wp ? wp_queries(r->wp) - r->sql0 : 0);
	else
		log_info(
			"done action=%s contacts=%zu outcome=%s status=%d ms=%lld mautic_calls=%u sql=%u",
			action, r->njobs, rc == MW_OK ? "ok" : mw_strerror(rc),
			status, ms,
			r->mautic ? mautic_calls(r->mautic) - r->calls0 : 0,
			r->wp ? wp_queries(r->wp) - r->sql0 : 0);
}

static void
run_free(struct run *r)
{
	size_t i;

	for (i = 0; i < r->njobs; i++)
		job_free(&r->jobs[i]);
	free(r->jobs);
	site_free(&r->site);
	/* The connections stay with the caller, outside any transaction; a
	 * database that failed is dropped, to be opened again next time. */
	wp_rollback(r->wp);
}

/* Append text with & < > " ' escaped, as esc_html() would. */
static void
html_add(struct buf *b, const char *text)
{
	for (; *text != '\0'; text++) {
		switch (*text) {
		case '&':
			buf_addstr(b, "&amp;");
			break;
		case '<':
			buf_addstr(b, "&lt;");
			break;
		case '>':
			buf_addstr(b, "&gt;");
			break;
		case '"':
			buf_addstr(b, "&quot;");
			break;
		case '\'':
			buf_addstr(b, "&#039;");
			break;
		default:
			buf_add(b, text, 1);
		}
	}
}

/* The context column: a serialized array PHP's unserialize() reads. */
static void
wpflog_context(struct buf *b, const struct run *r, const char *outcome,
	       const char *note)
{
	const char *v[3] = {r->reqid, outcome, note};
	const char *k[3] = {"request_id", "outcome", "note"};
	size_t i, n = note != NULL && note[0] != '\0' ? 3 : 2;

	buf_printf(b, "a:%zu:{", n);
	for (i = 0; i < n; i++)
		buf_printf(b, "s:%zu:\"%s\";s:%zu:\"%s\";", strlen(k[i]), k[i],
			   strlen(v[i]), v[i]);
	buf_addstr(b, "}");
}

/* One row per contact in WP Fusion's activity log (when the site has
 * it), so the admins see webhooks where they look: info for changes,
 * notice for contacts without a user or skipped, error for failures. */
static void
wpflog_write(struct run *r, enum mw_err rc, const char *msg)
{
	const char *action = req_action_name(r->req->action);
	struct buf m, c;
	bool exists = false;
	size_t i;

	if (r->wp == NULL || r->req->dry_run ||
	    wp_wpflog_exists(r->wp, &exists) != MW_OK || !exists)
		return;
	for (i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		const char *out = rc == MW_OK ? outcome_names[j->outcome]
					      : mw_strerror(rc);
		unsigned level = rc != MW_OK ? 500
				 : j->outcome == OUT_NO_USER ||
						 j->outcome == OUT_SKIPPED ||
						 j->note[0] != '\0'
					 ? 300
					 : 200;

		buf_init(&m, 4096);
		buf_init(&c, 4096);
		buf_printf(
			&m,
			"mautic-wp: <strong>%s</strong> webhook for contact #%llu: ",
			action, (unsigned long long)j->contact_id);
		if (rc != MW_OK)
			html_add(&m, msg[0] ? msg : error_message(rc));
		else if (j->uid != 0)
			buf_printf(&m, "%s user #%llu", out,
				   (unsigned long long)j->uid);
		else
			buf_printf(&m, "%s", out);
		if (rc == MW_OK && j->note[0] != '\0') {
			buf_addstr(&m, " (");
			html_add(&m, j->note);
			buf_addstr(&m, ")");
		}
		wpflog_context(&c, r, out, rc == MW_OK ? j->note : msg);
		if (m.p != NULL && c.p != NULL &&
		    wp_wpflog_add(r->wp, level, j->uid, m.p, c.p) != MW_OK)
			log_warn("wpf_logging: row not written");
		buf_free(&m);
		buf_free(&c);
	}
}

/* Fill the answer for the outcome of a request and write its log line. */
static void
respond(struct run *r, enum mw_err rc, const char *msg, long long t0,
	struct action_answer *ans)
{
	ans->status = mw_http_status(rc);
	ans->retry_after = rc == MW_EDB;
	ans->body = rc == MW_OK
			    ? answer_ok(r)
			    : answer_error(rc, msg[0] ? msg : error_message(rc),
					   r->reqid);
	if (ans->body == NULL) {
		ans->status = 500;
		ans->body =
			strdup("{\"ok\":false,\"error\":\"internal_error\"}");
	}
	log_done(r, rc, ans->status, mw_now_ms() - t0);
}

void
action_run(const struct cfg *cfg, struct action_conn *conn,
	   const struct req_env *env, req_read_fn fn, void *ctx,
	   struct action_answer *ans)
{
	int attempt;
	struct request req;
	struct run r;
	char msg[REQ_MSG_MAX] = "";
	char *body = NULL;
	size_t bodysz = 0;
	long long t0 = mw_now_ms();
	enum mw_err rc;

	memset(&r, 0, sizeof(r));
	memset(&req, 0, sizeof(req));
	memset(ans, 0, sizeof(*ans));
	new_request_id(r.reqid);
	log_set_request_id(r.reqid);
	log_set_level((enum log_level)cfg->log_level);
	r.cfg = cfg;
	r.conn = conn;
	rc = req_read_body_fn(env, fn, ctx, &body, &bodysz);
	if (rc == MW_OK)
		rc = req_parse(env, body, bodysz, cfg, &req, msg, sizeof(msg));
	if (rc != MW_OK) {
		log_warn("request refused: %s (%s)", mw_strerror(rc), msg);
		goto out;
	}
	r.req = &req;
	rc = make_jobs(&r);
	if (rc == MW_OK)
		for (attempt = 1; rc == MW_OK; attempt++) {
			rc = handlers[req.action](&r);
			/* InnoDB rolled a deadlocked transaction back: run it
			 * again (Mautic's data is kept, so no second API call).
			 */
			if (rc != MW_EDB || attempt == 3 ||
			    !wp_deadlocked(r.wp))
				break;
			log_info("retrying after a deadlock (attempt %d)",
				 attempt + 1);
			jobs_reset(&r);
			rc = MW_OK;
		}
	if (rc == MW_OK && !req.dry_run)
		action_user_after_commit(&r);
	else if (rc == MW_OK)
		action_user_plan(&r);
	if (rc != MW_EDB)
		wpflog_write(&r, rc, msg);
out:
	respond(&r, rc, msg, t0, ans);
	run_free(&r);
	if (rc == MW_EDB && conn->wp != NULL) {
		wp_close(conn->wp);
		conn->wp = NULL;
	}
	req_free(&req);
	if (body != NULL) {
		explicit_bzero(body, bodysz);
		free(body);
	}
	log_set_request_id(NULL);
}

enum mw_err
action_wpf_merge(struct cfg *cfg, struct wpstore **wp, char *err, size_t errsz)
{
	char *val = NULL;
	size_t len = 0;
	enum mw_err rc = MW_OK;

	if (!cfg->use_wpf_options)
		return MW_OK;
	/* WP Fusion keeps the key in the database: connect before the
	 * request can be judged. */
	if (*wp != NULL && !wp_ping(*wp)) {
		wp_close(*wp);
		*wp = NULL;
	}
	if (*wp == NULL)
		rc = wp_open(cfg, wp);
	if (rc == MW_OK)
		rc = wp_option_get(*wp, "wpf_options", &val, &len);
	if (rc == MW_OK)
		rc = wpfopts_apply(cfg, val, len, err, errsz);
	else
		snprintf(
			err, errsz,
			"%s: use_wpf_options: cannot read wpf_options from the database",
			cfg->path);
	if (val != NULL) {
		explicit_bzero(val, len);
		free(val);
	}
	if (rc == MW_EDB) {
		wp_close(*wp);
		*wp = NULL;
	}
	return rc;
}

enum mw_err
action_config(const char *path, struct cfg *cfg, struct wpstore **wp, char *err,
	      size_t errsz)
{
	enum mw_err rc;

	*wp = NULL;
	rc = cfg_load(path, cfg, err, errsz);
	if (rc == MW_OK)
		rc = action_wpf_merge(cfg, wp, err, errsz);
	if (rc != MW_OK) {
		wp_close(*wp);
		*wp = NULL;
	}
	return rc;
}

void
action_error(enum mw_err rc, const char *why, struct action_answer *ans)
{
	struct run r;

	memset(&r, 0, sizeof(r));
	memset(ans, 0, sizeof(*ans));
	new_request_id(r.reqid);
	log_set_request_id(r.reqid);
	log_err("config: %s", why);
	respond(&r, rc, "", mw_now_ms(), ans);
	log_set_request_id(NULL);
}

void
action_cgi(const struct req_env *env, int fd, struct action_answer *ans)
{
	struct cfg cfg;
	struct wpstore *wp = NULL;
	char errbuf[CFG_ERRMSG_MAX];
	enum mw_err rc;

	rc = action_config(cfg_default_path(), &cfg, &wp, errbuf,
			   sizeof(errbuf));
	if (rc == MW_OK) {
		struct action_conn conn = {wp, NULL};

		action_run(&cfg, &conn, env, req_read_fd, &fd, ans);
		action_conn_close(&conn);
		cfg_free(&cfg);
		return;
	}
	action_error(rc, errbuf, ans);
	cfg_free(&cfg);
}

void
action_conn_close(struct action_conn *c)
{
	if (c == NULL)
		return;
	wp_close(c->wp);
	mautic_close(c->mautic);
	c->wp = NULL;
	c->mautic = NULL;
}

void
action_answer_free(struct action_answer *ans)
{
	if (ans == NULL)
		return;
	free(ans->body);
	ans->body = NULL;
}

void
action_library_end(void)
{
	wp_library_end();
}
