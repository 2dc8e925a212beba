/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core.h - what mautic-wp-core.so gives mautic-wp.cgi: one table, found
 * with dlsym("mw_core").  MW_CORE_ABI changes whenever the table or the
 * types it passes change; main.c refuses a core of another.
 */
#ifndef MW_CORE_H
#define MW_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "action/action.h"

#define MW_CORE_ABI 1

struct mw_core {
	int abi; /* MW_CORE_ABI */
	/* The program as it runs from a shell, a FastCGI process manager
	 * or a web server (CGI, stdin unread); returns the exit status. */
	int (*main)(int argc, char **argv);
	/* A CGI request: its body already read (read true) or on stdin. */
	void (*cgi)(const struct req_env *env, const char *body, size_t bodysz,
		    bool read, struct action_answer *ans /* OUT */);
};

/* The CGI variables of the environment (borrowed). */
static inline void
req_env_from_environ(struct req_env *env)
{
	env->method = getenv("REQUEST_METHOD");
	env->query = getenv("QUERY_STRING");
	env->content_length = getenv("CONTENT_LENGTH");
	env->content_type = getenv("CONTENT_TYPE");
	env->access_key = getenv("HTTP_X_ACCESS_KEY");
	env->signature = getenv("HTTP_WEBHOOK_SIGNATURE");
}

#endif
