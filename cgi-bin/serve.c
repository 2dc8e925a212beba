/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * serve.c - the persistent mode: the same program as a FastCGI process
 * (started by Apache mod_fcgid or spawn-fcgi) answering requests in a loop.
 *
 * What is kept between requests: the parsed config (read again when the
 * file changes), one MariaDB connection (pinged before use, reopened when
 * lost, never left in a transaction), one libcurl handle with keep-alive
 * to Mautic and the OAuth2 token.  Nothing else survives a request: every
 * request's memory is freed by action_run() as in the CGI.
 */
#include "serve.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <fcgiapp.h>

#include "action/action.h"
#include "config/config.h"
#include "base/log.h"

/* The loaded configuration and what identifies the file it came from. */
struct loaded {
	bool ok;	  /* cfg holds a valid configuration */
	struct cfg cfg;	  /* valid when ok */
	char path[4096];  /* file it was read from */
	struct stat st;	  /* its identity and mtime then */
	struct stat wpst; /* the same of [wordpress] wp_config, if any */
	char err[CFG_ERRMSG_MAX]; /* why the last load failed */
};

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	/* Without this, libfcgi retries accept() after EINTR and an idle
	 * process never sees the signal. */
	FCGX_ShutdownPending();
}

bool
serve_is_fastcgi(void)
{
	return !FCGX_IsCGI();
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_mode == b->st_mode;
}

/* Make l->cfg the configuration at path, reading it again when the file
 * changed.  Connections belong to the old cfg, so they go with it. */
static void
refresh(struct loaded *l, const char *path, struct action_conn *conn)
{
	struct stat st, wpst;
	bool have = stat(path, &st) == 0;

	/* wp-config.php is a source of the configuration too. */
	memset(&wpst, 0, sizeof(wpst));
	if (l->ok && l->cfg.wp_config != NULL &&
	    stat(l->cfg.wp_config, &wpst) != 0)
		memset(&wpst, 0, sizeof(wpst));
	if (have && l->ok && strcmp(path, l->path) == 0 &&
	    same_file(&st, &l->st) && same_file(&wpst, &l->wpst))
		return;
	if (l->ok || l->err[0] != '\0')
		log_info("serve: reading %s again", path);
	action_conn_close(conn);
	if (l->ok)
		cfg_free(&l->cfg);
	l->ok = cfg_load(path, &l->cfg, l->err, sizeof(l->err)) == MW_OK;
	if (!l->ok)
		cfg_free(&l->cfg);
	snprintf(l->path, sizeof(l->path), "%s", path);
	if (have)
		l->st = st;
	else
		memset(&l->st, 0, sizeof(l->st));
	memset(&l->wpst, 0, sizeof(l->wpst));
	if (l->ok && l->cfg.wp_config != NULL &&
	    stat(l->cfg.wp_config, &l->wpst) != 0)
		memset(&l->wpst, 0, sizeof(l->wpst));
}

/* Log records of a request go down its FastCGI error stream, which the
 * web server writes to its error log. */
static void
to_fcgi_err(const char *line, size_t len, void *ctx)
{
	FCGX_PutStr(line, (int)len, ctx);
	FCGX_FFlush(ctx);
}

static ssize_t
fcgi_read(void *ctx, char *buf, size_t n)
{
	int r = FCGX_GetStr(buf, n > 65536 ? 65536 : (int)n, ctx);

	return r;
}

static void
reply(FCGX_Request *rq, const struct action_answer *ans)
{
	FCGX_FPrintF(rq->out, "Status: %d %s\r\n", ans->status,
		     action_status_text(ans->status));
	FCGX_FPrintF(rq->out, "Content-Type: application/json\r\n"
			      "Cache-Control: no-store\r\n");
	if (ans->retry_after)
		FCGX_FPrintF(rq->out, "Retry-After: 30\r\n");
	FCGX_FPrintF(rq->out, "\r\n");
	FCGX_PutStr(ans->body, (int)strlen(ans->body), rq->out);
	FCGX_PutS("\n", rq->out);
}

/* One request: config, environment, action_run(), answer. */
static void
one(FCGX_Request *rq, struct loaded *l, struct action_conn *conn)
{
	const char *path = FCGX_GetParam("MAUTIC_WP_CONFIG", rq->envp);
	struct req_env env;
	struct action_answer ans;
	char err[CFG_ERRMSG_MAX];
	enum mw_err rc;

	refresh(l, path && path[0] ? path : cfg_default_path(), conn);
	if (!l->ok) {
		action_error(MW_ECONFIG, l->err, &ans);
		reply(rq, &ans);
		action_answer_free(&ans);
		return;
	}
	rc = action_wpf_merge(&l->cfg, conn, err, sizeof(err));
	if (rc != MW_OK) {
		action_error(rc, err, &ans);
		reply(rq, &ans);
		action_answer_free(&ans);
		return;
	}
	env.method = FCGX_GetParam("REQUEST_METHOD", rq->envp);
	env.query = FCGX_GetParam("QUERY_STRING", rq->envp);
	env.content_length = FCGX_GetParam("CONTENT_LENGTH", rq->envp);
	env.content_type = FCGX_GetParam("CONTENT_TYPE", rq->envp);
	env.access_key = FCGX_GetParam("HTTP_X_ACCESS_KEY", rq->envp);
	env.signature = FCGX_GetParam("HTTP_WEBHOOK_SIGNATURE", rq->envp);
	action_run(&l->cfg, conn, &env, fcgi_read, rq->in, &ans);
	reply(rq, &ans);
	action_answer_free(&ans);
}

int
serve_fastcgi(void)
{
	FCGX_Request rq;
	struct action_conn conn = {NULL, NULL, true};
	struct loaded *l;
	struct sigaction sa;
	unsigned long served = 0;

	l = calloc(1, sizeof(*l));
	if (l == NULL || FCGX_Init() != 0 || FCGX_InitRequest(&rq, 0, 0) != 0) {
		free(l);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL); /* mod_fcgid's graceful stop */
	signal(SIGPIPE, SIG_IGN);
	log_info("serve: FastCGI process ready");
	while (!stopping && FCGX_Accept_r(&rq) >= 0) {
		log_set_sink(to_fcgi_err, rq.err);
		one(&rq, l, &conn);
		log_set_sink(NULL, NULL);
		FCGX_Finish_r(&rq);
		served++;
	}
	log_info("serve: stopping after %lu requests", served);
	FCGX_Free(&rq, 1);
	action_conn_close(&conn);
	if (l->ok)
		cfg_free(&l->cfg);
	free(l);
	return 0;
}
