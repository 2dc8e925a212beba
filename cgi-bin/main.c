/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mautic-wp.cgi - Mautic webhooks into WordPress users.
 *
 * As a CGI (GATEWAY_INTERFACE set, stdin not a listening socket), a
 * request that is only queued or refused is answered by the fast path
 * (action_front), which needs nothing but the C library, cJSON and inih.
 * Everything else (a request to serve now, the FastCGI loop, the shell
 * modes) is the whole program, mautic-wp-core.so, loaded on demand: its
 * libraries (libcurl, MariaDB Connector/C, OpenSSL ...) would cost a CGI
 * process about 12 ms to load, whatever it then does.  Only then is argv
 * ignored, because a web server turns a query without '=' into arguments.
 * No logic here.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core.h"
#include "action/action.h"

#define CORE_NAME "mautic-wp-core.so"

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

/* stdin is a listening socket: a FastCGI process manager started us (the
 * test libfcgi's FCGX_IsCGI() makes). */
static bool
listening_stdin(void)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);

	errno = 0;
	return getpeername(STDIN_FILENO, (struct sockaddr *)&sa, &len) != 0 &&
	       errno == ENOTCONN;
}

static const struct mw_core *
try_core(const char *path)
{
	const struct mw_core *core;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL)
		return NULL;
	core = dlsym(h, "mw_core");
	if (core == NULL || core->abi != MW_CORE_ABI) {
		fprintf(stderr, "mautic-wp: %s: not a core for this program\n",
			path);
		dlclose(h);
		return NULL;
	}
	return core;
}

/* The whole program: beside this executable's directory (..
 * /mautic-wp/), where the package, the build tree and the test stack put
 * it, else where it was installed. */
static const struct mw_core *
load_core(void)
{
	char exe[PATH_MAX], path[PATH_MAX + 64];
	const struct mw_core *core = NULL;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(path, sizeof(path),
				 "%s/../mautic-wp/" CORE_NAME, exe);
			core = try_core(path);
		}
	}
	if (core == NULL)
		core = try_core(MW_CORE_DIR "/" CORE_NAME);
	if (core == NULL)
		fprintf(stderr, "mautic-wp: cannot load %s: %s\n", CORE_NAME,
			dlerror());
	return core;
}

static int
cgi(void)
{
	struct req_env env;
	struct action_answer ans;
	char *body = NULL;
	size_t bodysz = 0;
	bool read = false;
	int rc;

	req_env_from_environ(&env);
	if (!action_front(&env, STDIN_FILENO, &ans, &body, &bodysz, &read)) {
		const struct mw_core *core = load_core();

		if (core != NULL)
			core->cgi(&env, body, bodysz, read, &ans);
		else
			action_front_error(&ans);
		if (body != NULL) {
			explicit_bzero(body, bodysz);
			free(body);
		}
	}
	rc = action_print(stdout, &ans);
	action_answer_free(&ans);
	return rc;
}

int
main(int argc, char **argv)
{
	const struct mw_core *core;

	keep_std_fds();
	if (!listening_stdin() && getenv("GATEWAY_INTERFACE") != NULL)
		return cgi();
	core = load_core();
	return core != NULL ? core->main(argc, argv) : 1;
}
