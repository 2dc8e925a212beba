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

/* The same with a loaded configuration (borrowed): for the shell mode and
 * for a process that serves many requests. */
void action_run(const struct cfg *cfg, const struct req_env *env, int fd,
		struct action_answer *ans /* OUT */);

/* Release an answer.  NULL is fine. */
void action_answer_free(struct action_answer *ans);

/* Reason phrase for a status line ("Bad Request"). */
const char *action_status_text(int status);

#endif
