/*
 * action.h - one webhook from CGI environment to answer: the module that
 * knows all the others (config, request, mautic, wpstore).
 */
#ifndef MW_ACTION_H
#define MW_ACTION_H

#include <stdbool.h>

#include "config.h"
#include "request.h"

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

struct wpstore;

/* Load the configuration at path and, with use_wpf_options, connect to the
 * database and merge WP Fusion's settings.  *wp gets that connection (or
 * NULL; caller closes it with wp_close).  On error err holds the reason:
 * MW_ECONFIG, or MW_EDB when the database is needed and away. */
enum mw_err action_config(const char *path, struct cfg *cfg /* OUT */,
			  struct wpstore **wp /* OUT */, char *err,
			  size_t errsz);

/* Handle one request with a loaded configuration (borrowed) and, if not
 * NULL, an open database connection (borrowed; left outside any
 * transaction): for the shell mode and a process that serves many
 * requests. */
void action_run(const struct cfg *cfg, struct wpstore *wp,
		const struct req_env *env, int fd,
		struct action_answer *ans /* OUT */);

/* Release an answer.  NULL is fine. */
void action_answer_free(struct action_answer *ans);

/* Reason phrase for a status line ("Bad Request"). */
const char *action_status_text(int status);

#endif
