/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * front.c - the intake's fast path (action_front in action.h).  A CGI
 * process pays for every shared library it loads: libcurl's tree,
 * MariaDB Connector/C and OpenSSL cost about 12 ms before main() on the
 * test machine, against 1.5 ms for the C library alone.  A webhook that is
 * only queued, or refused, needs none of them, so the executable links
 * only what this file reaches (the configuration, the request, the jobs,
 * the answer and the spool) and loads the rest of the program
 * (mautic-wp-core.so) when a request needs it.
 *
 * What it answers, it answers exactly as action_run() would: the same
 * steps in the same order, through the same functions.  Everything else
 * goes to the whole program: a configuration that needs the database
 * first (use_wpf_options), a staging copy, a body that is not a form (a
 * signed global webhook), a synchronous request, and a spool that cannot
 * be written.
 */
#include "action/action.h"

#include <stdlib.h>
#include <string.h>

#include "action/action_int.h"
#include "base/clock.h"
#include "base/log.h"

bool
action_front(const struct req_env *env, int fd, struct action_answer *ans,
	     char **body, size_t *bodysz, bool *read)
{
	struct cfg cfg;
	struct request req;
	struct run r;
	char err[CFG_ERRMSG_MAX], msg[REQ_MSG_MAX] = "";
	long long t0 = mw_now_ms();
	bool answered = false;
	enum mw_err rc;

	*body = NULL;
	*bodysz = 0;
	*read = false;
	memset(ans, 0, sizeof(*ans));
	memset(&req, 0, sizeof(req));
	memset(&r, 0, sizeof(r));
	if (cfg_load(cfg_default_path(), &cfg, err, sizeof(err)) != MW_OK ||
	    cfg.use_wpf_options || cfg.wpf.staging ||
	    cfg.webhook_async == CFG_ASYNC_NEVER || !req_form_or_empty(env)) {
		cfg_free(&cfg);
		return false;
	}
	run_request_id(r.reqid);
	log_set_request_id(r.reqid);
	log_set_level((enum log_level)cfg.log_level);
	r.cfg = &cfg;
	*read = true;
	rc = req_read_body_fn(env, req_read_fd, &fd, body, bodysz);
	if (rc == MW_OK)
		rc = req_parse_with(env, *body, *bodysz, &cfg, NULL, &req, msg,
				    sizeof(msg));
	if (rc != MW_OK) {
		log_warn("request refused: %s (%s)", mw_strerror(rc), msg);
		answered = true;
	} else {
		r.req = &req;
		rc = run_make_jobs(&r);
		if (rc == MW_OK && intake_wanted(&r)) {
			rc = intake_queue(&r);
			/* A spool that cannot be written: the whole program
			 * serves the request now. */
			answered = rc != MW_EINTERNAL;
		} else
			answered = rc != MW_OK;
	}
	if (answered)
		answer_fill(&r, rc, msg, t0, ans);
	run_free_jobs(&r);
	req_free(&req);
	cfg_free(&cfg);
	log_set_request_id(NULL);
	if (answered && *body != NULL) {
		explicit_bzero(*body, *bodysz);
		free(*body);
		*body = NULL;
		*bodysz = 0;
	}
	return answered;
}

void
action_front_error(struct action_answer *ans)
{
	struct run r;

	memset(&r, 0, sizeof(r));
	memset(ans, 0, sizeof(*ans));
	run_request_id(r.reqid);
	log_set_request_id(r.reqid);
	log_err("the program's core cannot be loaded");
	answer_fill(&r, MW_EINTERNAL, "", mw_now_ms(), ans);
	log_set_request_id(NULL);
}
