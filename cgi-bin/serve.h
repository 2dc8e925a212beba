/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * serve.h - the persistent FastCGI mode of mautic-wp.cgi.
 */
#ifndef MW_SERVE_H
#define MW_SERVE_H

#include <stdbool.h>

/* True when stdin is a FastCGI listening socket (started by mod_fcgid or
 * spawn-fcgi) rather than a CGI's pipe. */
bool serve_is_fastcgi(void);

/* Answer FastCGI requests until the server stops the process (SIGTERM,
 * SIGUSR1, or the listening socket closes).  Returns the exit status. */
int serve_fastcgi(void);

#endif
