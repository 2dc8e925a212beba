/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * action.h - one webhook from CGI environment to answer: the part that
 * knows all the others (config, request, mautic, mail, wp).  The entry
 * points in cgi-bin use only this header (and shell.h, import.h).
 */
#ifndef MW_ACTION_H
#define MW_ACTION_H

#include <stdbool.h>
#include <stdio.h>

#include "config/config.h"
#include "request/request.h"

/* What main() prints. */
struct action_answer {
	int status;	  /* HTTP status */
	char *body;	  /* owned JSON text */
	bool retry_after; /* send Retry-After (503) */
};

/* Handle one CGI request: config from cfg_default_path(), variables from
 * env (borrowed), body from fd.  Always fills *ans (release with
 * action_answer_free), whatever happened. */
void action_cgi(const struct req_env *env, int fd,
		struct action_answer *ans /* OUT */);

/* action_cgi() with the body from fn/ctx (bytes read before). */
void action_cgi_read(const struct req_env *env, req_read_fn fn, void *ctx,
		     struct action_answer *ans /* OUT */);

/* The intake's fast path, for a CGI process that has not loaded the
 * whole program: a request that is only to be queued (async, its key
 * checked) or refused (bad input, a wrong key) is answered here from the
 * configuration, the request and the spool alone, which need neither
 * libcurl, MariaDB Connector/C nor OpenSSL.  Returns true when *ans is
 * filled.  False: the whole program must serve it; *body (owned, may be
 * NULL) then holds the request's body when *read is true, and stdin is
 * untouched when it is false. */
bool action_front(const struct req_env *env, int fd,
		  struct action_answer *ans /* OUT */, char **body /* OUT */,
		  size_t *bodysz /* OUT */, bool *read /* OUT */);

/* The answer when the whole program cannot be loaded: 500. */
void action_front_error(struct action_answer *ans /* OUT */);

/* The answer a CGI prints: status line, headers, the JSON body. */
int action_print(FILE *out, const struct action_answer *ans);

/* The answer to a request that cannot be served because of its
 * configuration (rc MW_ECONFIG, or MW_EDB while reading wpf_options); the
 * reason goes to the log only. */
void action_error(enum mw_err rc, const char *why,
		  struct action_answer *ans /* OUT */);

struct mautic;
struct wpstore;

/* Connections kept between requests.  Both start NULL, are opened on
 * first need by action_run() and stay open (outside any transaction) for
 * the next request; a database connection that failed is dropped.  They
 * are bound to the cfg they were opened with: close them when it changes. */
struct action_conn {
	struct wpstore *wp;    /* owned */
	struct mautic *mautic; /* owned */
	bool keep;	       /* serves many requests: the database keeps
				* its statements prepared */
};

/* Handle one request with a loaded configuration (borrowed), connections
 * kept by the caller, and the body from fn/ctx: the shell mode and the
 * FastCGI loop use it; action_cgi() is this with fresh everything. */
void action_run(const struct cfg *cfg, struct action_conn *conn,
		const struct req_env *env, req_read_fn fn, void *ctx,
		struct action_answer *ans /* OUT */);

/* With use_wpf_options, merge WP Fusion's settings into cfg (in place)
 * through conn's database connection, opening or reopening it as needed
 * (a connection that failed is closed).  Does nothing otherwise.  On error
 * err holds the reason: MW_ECONFIG, or MW_EDB when the database is away. */
enum mw_err action_wpf_merge(struct cfg *cfg, struct action_conn *conn,
			     char *err, size_t errsz)
	__attribute__((warn_unused_result));

/* Close both connections.  NULL is fine. */
void action_conn_close(struct action_conn *c);

/* Release an answer.  NULL is fine. */
void action_answer_free(struct action_answer *ans);

/* Release what the libraries behind the actions keep for the process
 * (MariaDB Connector/C's global state); call once, before exit. */
void action_library_end(void);

/* Reason phrase for a status line ("Bad Request"). */
const char *action_status_text(int status);

#endif
