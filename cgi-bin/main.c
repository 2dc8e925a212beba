/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mautic-wp.cgi - Mautic webhooks into WordPress users.
 *
 * Started by a FastCGI process manager (stdin is a listening socket), it
 * serves requests in a loop (serve.c).  With GATEWAY_INTERFACE set it is a
 * CGI: the environment and stdin go to
 * action_cgi(), and the status line and JSON answer come back.  Only then
 * is argv ignored, because a web server turns a query without '=' into
 * arguments.  From a shell it runs --check or --action.  No logic here.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* fds 0-2 must exist, or a later open() could become our stderr. */
static void
keep_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

static int
cgi(void)
{
	struct req_env env;
	struct action_answer ans;

	env.method = getenv("REQUEST_METHOD");
	env.query = getenv("QUERY_STRING");
	env.content_length = getenv("CONTENT_LENGTH");
	env.content_type = getenv("CONTENT_TYPE");
	env.access_key = getenv("HTTP_X_ACCESS_KEY");
	env.signature = getenv("HTTP_WEBHOOK_SIGNATURE");
	action_cgi(&env, STDIN_FILENO, &ans);
	printf("Status: %d %s\r\n", ans.status, action_status_text(ans.status));
	printf("Content-Type: application/json\r\n");
	printf("Cache-Control: no-store\r\n");
	if (ans.retry_after)
		printf("Retry-After: 30\r\n");
	printf("\r\n%s\n", ans.body);
	action_answer_free(&ans);
	return fflush(stdout) == 0 ? 0 : 1;
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

int
main(int argc, char **argv)
{
	int rc;

	keep_std_fds();
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
