/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core.c - the whole program behind mautic-wp.cgi (main.c), loaded when a
 * request needs more than the intake's fast path: the FastCGI loop
 * (serve.c), a CGI request to serve now, and the shell modes (--check,
 * --action, --worker ...).  Built as mautic-wp-core.so, which exports
 * only mw_core (core.h).  No logic here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "action/action.h"
#include "action/import.h"
#include "serve.h"
#include "action/shell.h"
#include "action/worker.h"

static const char usage[] =
	"usage: mautic-wp.cgi --check [--config FILE]\n"
	"       mautic-wp.cgi --install-index|--remove-index [--config FILE]\n"
	"       mautic-wp.cgi --drain|--worker|--requeue [--config FILE]\n"
	"       mautic-wp.cgi --action add|update|update_tags|test --contact ID\n"
	"                     [--role ROLE] [--send-notification] [--dry-run] [--config FILE]\n"
	"       mautic-wp.cgi --import --tag TAG|--segment ALIAS [--role ROLE]\n"
	"                     [--send-notification] [--dry-run] [--state FILE] [--config FILE]\n"
	"Without arguments and with GATEWAY_INTERFACE set, it runs as a CGI program.\n";

/* A CGI request, its body from stdin. */
static int
cgi(void)
{
	struct req_env env;
	struct action_answer ans;
	int rc;

	req_env_from_environ(&env);
	action_cgi(&env, STDIN_FILENO, &ans);
	rc = action_print(stdout, &ans);
	action_answer_free(&ans);
	return rc;
}

/* The value of an option that takes one, or NULL (after a message). */
static const char *
value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "mautic-wp: %s needs a value\n%s", argv[*i],
			usage);
		return NULL;
	}
	return argv[++*i];
}

static int
shell(int argc, char **argv)
{
	struct shell_args a;
	struct import_args im;
	bool check = false, import = false;
	int index = 0;		      /* 1 --install-index, -1 --remove-index */
	int worker = -1, nworker = 0; /* enum worker_mode */
	int i;

	memset(&a, 0, sizeof(a));
	memset(&im, 0, sizeof(im));
	for (i = 1; i < argc; i++) {
		const char **dst = NULL;

		if (strcmp(argv[i], "--check") == 0)
			check = true;
		else if (strcmp(argv[i], "--install-index") == 0)
			index = index == 0 ? 1 : 2;
		else if (strcmp(argv[i], "--remove-index") == 0)
			index = index == 0 ? -1 : 2;
		else if (strcmp(argv[i], "--import") == 0)
			import = true;
		else if (strcmp(argv[i], "--drain") == 0)
			worker = WORKER_DRAIN, nworker++;
		else if (strcmp(argv[i], "--worker") == 0)
			worker = WORKER_FOREVER, nworker++;
		else if (strcmp(argv[i], "--requeue") == 0)
			worker = WORKER_REQUEUE, nworker++;
		else if (strcmp(argv[i], "--tag") == 0)
			dst = &im.tag;
		else if (strcmp(argv[i], "--segment") == 0)
			dst = &im.segment;
		else if (strcmp(argv[i], "--state") == 0)
			dst = &im.state;
		else if (strcmp(argv[i], "--dry-run") == 0)
			a.dry_run = true;
		else if (strcmp(argv[i], "--send-notification") == 0)
			a.notify = true;
		else if (strcmp(argv[i], "--config") == 0)
			dst = &a.config;
		else if (strcmp(argv[i], "--action") == 0)
			dst = &a.action;
		else if (strcmp(argv[i], "--contact") == 0)
			dst = &a.contact;
		else if (strcmp(argv[i], "--role") == 0)
			dst = &a.role;
		else if (strcmp(argv[i], "--version") == 0) {
			printf("mautic-wp %s\n", MW_VERSION);
			return 0;
		} else {
			fprintf(stderr, "%s", usage);
			return strcmp(argv[i], "--help") == 0 ? 0 : 2;
		}
		if (dst != NULL && (*dst = value(argc, argv, &i)) == NULL)
			return 2;
	}
	if (worker >= 0) {
		if (nworker > 1 || check || import || index != 0 ||
		    a.action != NULL) {
			fprintf(stderr, "%s", usage);
			return 2;
		}
		return worker_main(a.config, (enum worker_mode)worker, stdout);
	}
	if (import) {
		if (check || a.action != NULL ||
		    (im.tag != NULL) == (im.segment != NULL)) {
			fprintf(stderr, "%s", usage);
			return 2;
		}
		im.config = a.config;
		im.role = a.role;
		im.dry_run = a.dry_run;
		im.notify = a.notify;
		return import_run(&im, stdout);
	}
	if (index != 0) {
		if (index == 2 || check || import || a.action != NULL) {
			fprintf(stderr, "%s", usage);
			return 2;
		}
		return shell_index(a.config, index > 0, stdout);
	}
	if (check && a.action == NULL)
		return shell_check(a.config, stdout);
	if (!check && a.action != NULL)
		return shell_action(&a, stdout);
	fprintf(stderr, "%s", usage);
	return 2;
}

static int
core_main(int argc, char **argv)
{
	int rc;

	if (serve_is_fastcgi())
		rc = serve_fastcgi();
	else if (getenv("GATEWAY_INTERFACE") != NULL)
		rc = cgi();
	else if (argc > 1)
		rc = shell(argc, argv);
	else {
		fprintf(stderr, "%s", usage);
		rc = 2;
	}
	action_library_end();
	return rc;
}

/* A CGI request whose body main.c read (when read is true). */
static void
core_cgi(const struct req_env *env, const char *body, size_t bodysz, bool read,
	 struct action_answer *ans)
{
	struct req_mem m = {body, bodysz, 0};

	if (read)
		action_cgi_read(env, req_read_mem, &m, ans);
	else
		action_cgi(env, STDIN_FILENO, ans);
	action_library_end();
}

const struct mw_core mw_core = {MW_CORE_ABI, core_main, core_cgi};
