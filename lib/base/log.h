/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - one line per record on stderr (the web server's error log):
 *   mautic-wp[PID] LEVEL req=ID message key=value ...
 *
 * Text that an attacker or Mautic controls goes through log_sanitize() first.
 * Never log passwords, keys, secrets, tokens, e-mail addresses or payloads.
 */
#ifndef MW_LOG_H
#define MW_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LL_ERR,	  /* something failed */
	LL_WARN,  /* something was refused or fell back */
	LL_INFO,  /* one summary line per request */
	LL_DEBUG, /* details, only with [log] level = debug */
	LL__MAX
};

/* Records below this level are dropped before formatting (default LL_INFO). */
void log_set_level(enum log_level level);

/* Request id printed on every line; the string is copied (at most 32 bytes).
 * NULL clears it. */
void log_set_request_id(const char *id);

/* Where records go: by default stderr (the web server's error log for a
 * CGI).  A FastCGI process sends them down the request's error stream
 * instead; fn NULL restores stderr. */
typedef void (*log_sink_fn)(const char *line, size_t len, void *ctx);
void log_set_sink(log_sink_fn fn, void *ctx);

/* Silence every record (shell diagnostics print their own lines). */
void log_mute(bool mute);

/* True when a record of this level would be written. */
bool log_enabled(enum log_level level);

/* Write one record.  Use the macros below. */
void log_write(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...) log_write(LL_ERR, __VA_ARGS__)
#define log_warn(...) log_write(LL_WARN, __VA_ARGS__)
#define log_info(...) log_write(LL_INFO, __VA_ARGS__)
#define log_debug(...)                                                         \
	do {                                                                   \
		if (log_enabled(LL_DEBUG))                                     \
			log_write(LL_DEBUG, __VA_ARGS__);                      \
	} while (0)

/* Copy s[0..len) into out (size outsz, always NUL-terminated unless
 * outsz is 0), escaping backslash and '"' with a backslash, \n \r \t as
 * such and every other byte outside printable ASCII as \xNN, and cutting
 * with "..." (within outsz) when it does not fit; an escape is never cut
 * in two.  Returns out. */
const char *log_sanitize(const char *s, size_t len, char *out, size_t outsz);

#endif
