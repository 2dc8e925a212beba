/*
 * mautic-wp.cgi - Mautic webhooks into WordPress users, as a CGI.
 *
 * Reads the CGI environment and stdin, lets action_cgi() do everything, and
 * prints the status line and the JSON answer.  No logic here.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "wpstore.h"

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

int
main(int argc, char **argv)
{
	struct req_env env;
	struct action_answer ans;

	(void)argv;
	keep_std_fds();
	if (argc > 1 || getenv("GATEWAY_INTERFACE") == NULL) {
		fprintf(stderr,
			"usage: mautic-wp.cgi runs as a CGI program (GATEWAY_INTERFACE unset)\n");
		return 2;
	}
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
	wp_library_end();
	return fflush(stdout) == 0 ? 0 : 1;
}
