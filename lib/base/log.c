/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.c - sanitized one-line records on stderr (after kcgi's logging.c). */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static enum log_level cur_level = LL_INFO;
static log_sink_fn sink;
static void *sink_ctx;
static bool muted;
static char req_id[33];

static const char *const level_names[LL__MAX] = {
	"ERROR", /* LL_ERR */
	"WARN",	 /* LL_WARN */
	"INFO",	 /* LL_INFO */
	"DEBUG", /* LL_DEBUG */
};

void
log_set_level(enum log_level level)
{
	if (level < LL__MAX)
		cur_level = level;
}

void
log_set_request_id(const char *id)
{
	if (id == NULL) {
		req_id[0] = '\0';
		return;
	}
	snprintf(req_id, sizeof(req_id), "%s", id);
}

void
log_set_sink(log_sink_fn fn, void *ctx)
{
	sink = fn;
	sink_ctx = ctx;
}

void
log_mute(bool mute)
{
	muted = mute;
}

bool
log_enabled(enum log_level level)
{
	return !muted && level <= cur_level;
}

void
log_write(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	char msg[1800];
	va_list ap;
	int n;
	size_t i;

	if (level >= LL__MAX || !log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Messages are built from sanitized parts, but never let a stray
	 * newline split a record. */
	for (i = 0; msg[i] != '\0'; i++)
		if (msg[i] == '\n' || msg[i] == '\r')
			msg[i] = ' ';
	if (req_id[0] != '\0')
		n = snprintf(line, sizeof(line),
			     "mautic-wp[%ld] %s req=%s %s\n", (long)getpid(),
			     level_names[level], req_id, msg);
	else
		n = snprintf(line, sizeof(line), "mautic-wp[%ld] %s %s\n",
			     (long)getpid(), level_names[level], msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (sink != NULL) {
		sink(line, (size_t)n, sink_ctx);
		return;
	}
	/* One write() per record so that lines of concurrent CGIs don't mix. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

/* The escaped form of byte c into esc (at most 4 bytes); its length. */
static size_t
escape(unsigned char c, char esc[4])
{
	static const char hex[] = "0123456789abcdef";

	if (c == '\\' || c == '"') {
		esc[0] = '\\';
		esc[1] = (char)c;
		return 2;
	}
	if (c == '\n' || c == '\r' || c == '\t') {
		esc[0] = '\\';
		esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		return 2;
	}
	if (c < 0x20 || c >= 0x7f) {
		esc[0] = '\\';
		esc[1] = 'x';
		esc[2] = hex[c >> 4];
		esc[3] = hex[c & 15];
		return 4;
	}
	esc[0] = (char)c;
	return 1;
}

/* True when s[0..len), escaped, fits in room bytes with its NUL. */
static bool
fits(const char *s, size_t len, size_t room)
{
	char esc[4];
	size_t i, n = 1;

	for (i = 0; i < len && n <= room; i++)
		n += escape((unsigned char)s[i], esc);
	return n <= room;
}

const char *
log_sanitize(const char *s, size_t len, char *out, size_t outsz)
{
	size_t i, o = 0, elen;
	char esc[4];

	if (outsz == 0)
		return out;
	for (i = 0; i < len; i++) {
		elen = escape((unsigned char)s[i], esc);
		/* Near the end, keep room for "..." unless the rest fits. */
		if (o + elen + 4 > outsz && !fits(s + i, len - i, outsz - o)) {
			if (o + 4 <= outsz) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(out + o, esc, elen);
		o += elen;
	}
	out[o] = '\0';
	return out;
}
