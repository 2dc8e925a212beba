/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hello.cgi: the smallest useful CGI, a floor for benchmarks of
 * mautic-wp.cgi under the same web server.  It drains a request body, as
 * the real CGI does, so POST benchmarks compare like with like, and answers
 * {"ok":true}.
 *
 * Build: cc -O2 -Wall -Wextra -Werror -o hello.cgi hello.c
 */
#include <stdio.h>
#include <stdlib.h>

int
main(void)
{
	const char *cl = getenv("CONTENT_LENGTH");
	unsigned long long left = 0;
	char buf[8192];
	size_t n;

	/* nginx sends "" on GET; Apache leaves it unset. */
	if (cl != NULL && *cl != '\0')
		left = strtoull(cl, NULL, 10);
	while (left > 0) {
		n = fread(buf, 1, left < sizeof(buf) ? left : sizeof(buf),
			  stdin);
		if (n == 0)
			break;
		left -= n;
	}
	fputs("Status: 200 OK\r\n"
	      "Content-Type: application/json\r\n"
	      "\r\n"
	      "{\"ok\":true}\n",
	      stdout);
	return 0;
}
