/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wpflog.c - WP Fusion's activity log: one row per contact of a request
 * in its wpf_logging table, when the site has the table.
 */
#include "action/action_int.h"

#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "formats/html.h"
#include "formats/phpser.h"
#include "wp/store.h"

#define WPFLOG_TEXT_MAX 4096 /* bytes of a log row's message or context */

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
		rc == MW_OK ? answer_outcome_name(j->outcome) : mw_strerror(rc);

	buf_printf(m,
		   "mautic-wp: <strong>%s</strong> webhook for contact #%llu: ",
		   req_action_name(r->req->action),
		   (unsigned long long)j->contact_id);
	if (rc != MW_OK) {
		const char *t = msg[0] ? msg : answer_error_message(rc);

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
		const char *out = rc == MW_OK ? answer_outcome_name(j->outcome)
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
