/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * answer.c - what a request leaves behind: the JSON answer, the log line
 * and the rows of WP Fusion's activity log.
 */
#include "action/action_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "formats/html.h"
#include "formats/phpser.h"
#include "mautic/mautic.h"
#include "wp/store.h"

#define WPFLOG_TEXT_MAX 4096 /* bytes of a log row's message or context */

static const char *const outcome_names[OUT__MAX] = {
	"created",   /* OUT_CREATED */
	"updated",   /* OUT_UPDATED */
	"unchanged", /* OUT_UNCHANGED */
	"no_user",   /* OUT_NO_USER */
	"skipped",   /* OUT_SKIPPED */
	"queued",    /* OUT_QUEUED */
};

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
	if (r->nqueued > 0)
		cJSON_AddNumberToObject(root, "queued", (double)r->nqueued);
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
	case MW_EFULL:
		return "the local queue is full; retry later";
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
			"done action=%s contact=%llu user=%llu outcome=%s status=%d ms=%lld mautic_calls=%u sql=%u rt=%u",
			action, (unsigned long long)j->contact_id,
			(unsigned long long)j->uid,
			rc == MW_OK ? outcome_names[j->outcome]
				    : mw_strerror(rc),
			status, ms,
			r->mautic ? mautic_calls(r->mautic) - r->calls0 : 0,
			r->wp ? wp_queries(r->wp) - r->sql0 : 0,
			r->wp ? wp_round_trips(r->wp) - r->rt0 : 0);
	else
		log_info(
			"done action=%s contacts=%zu outcome=%s status=%d ms=%lld mautic_calls=%u sql=%u rt=%u",
			action, r->njobs, rc == MW_OK ? "ok" : mw_strerror(rc),
			status, ms,
			r->mautic ? mautic_calls(r->mautic) - r->calls0 : 0,
			r->wp ? wp_queries(r->wp) - r->sql0 : 0,
			r->wp ? wp_round_trips(r->wp) - r->rt0 : 0);
}

void
answer_fill(const struct run *r, enum mw_err rc, const char *msg, long long t0,
	    struct action_answer *ans)
{
	ans->status = mw_http_status(rc);
	ans->retry_after = rc == MW_EDB || rc == MW_EFULL;
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

/* The context column: request id, outcome and note (when there is one)
 * as an array PHP's unserialize() reads. */
static enum mw_err
wpflog_context(struct buf *b, const struct run *r, const char *outcome,
	       const char *note)
{
	const char *const k[3] = {"request_id", "outcome", "note"};
	const char *const v[3] = {r->reqid, outcome, note};
	size_t n = note != NULL && note[0] != '\0' ? 3 : 2;

	return phps_serialize_strmap(k, v, n, b);
}

/* The message column: HTML, with the notes and messages escaped.  Errors
 * stay in m. */
static void
wpflog_message(struct buf *m, const struct run *r, const struct job *j,
	       enum mw_err rc, const char *msg)
{
	const char *out =
		rc == MW_OK ? outcome_names[j->outcome] : mw_strerror(rc);

	buf_printf(m,
		   "mautic-wp: <strong>%s</strong> webhook for contact #%llu: ",
		   req_action_name(r->req->action),
		   (unsigned long long)j->contact_id);
	if (rc != MW_OK) {
		const char *t = msg[0] ? msg : error_message(rc);

		html_escape(m, t, strlen(t));
	} else if (j->uid != 0)
		buf_printf(m, "%s user #%llu", out, (unsigned long long)j->uid);
	else
		buf_printf(m, "%s", out);
	if (rc == MW_OK && j->note[0] != '\0') {
		buf_addstr(m, " (");
		html_escape(m, j->note, strlen(j->note));
		buf_addstr(m, ")");
	}
}

/* The level of a row: error for failures; notice for contacts without a
 * user, skipped or with a note; info for the rest. */
static unsigned
wpflog_level(const struct job *j, enum mw_err rc)
{
	if (rc != MW_OK)
		return 500;
	if (j->outcome == OUT_NO_USER || j->outcome == OUT_SKIPPED ||
	    j->note[0] != '\0')
		return 300;
	return 200;
}

void
answer_wpflog(struct run *r, enum mw_err rc, const char *msg)
{
	struct buf m, c;
	size_t i;

	if (r->wp == NULL || r->req->dry_run)
		return;
	/* The first insert finds out whether WP Fusion's table is there. */
	for (i = 0; i < r->njobs && wp_wpflog_maybe(r->wp); i++) {
		const struct job *j = &r->jobs[i];
		const char *out = rc == MW_OK ? outcome_names[j->outcome]
					      : mw_strerror(rc);
		enum mw_err brc;

		buf_init(&m, WPFLOG_TEXT_MAX);
		buf_init(&c, WPFLOG_TEXT_MAX);
		/* The message's appends are judged once, by its sticky error.
		 */
		wpflog_message(&m, r, j, rc, msg);
		brc = buf_error(&m);
		if (brc == MW_OK)
			brc = wpflog_context(&c, r, out,
					     rc == MW_OK ? j->note : msg);
		if (brc != MW_OK)
			log_warn("wpf_logging: row not written: %s",
				 mw_strerror(brc));
		else if (wp_wpflog_add(r->wp, wpflog_level(j, rc), j->uid, m.p,
				       c.p) != MW_OK)
			log_warn("wpf_logging: row not written");
		buf_free(&m);
		buf_free(&c);
	}
}
