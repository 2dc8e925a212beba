/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mail.c - wp_mail()-like plain-text messages over sendmail or SMTP. */
#include "mail/mail.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "base/log.h"
#include "base/strparse.h"
#include "base/utf8.h"

extern char **environ;

/* The bare address in "Name <addr>" or "addr". */
static void
bare_address(const char *from, char *out, size_t outsz)
{
	const char *lt = strrchr(from, '<'), *gt;

	if (lt != NULL && (gt = strchr(lt, '>')) != NULL) {
		snprintf(out, outsz, "%.*s", (int)(gt - lt - 1), lt + 1);
		return;
	}
	snprintf(out, outsz, "%s", from);
}

/* The From header's text: [mail] from, else wp_mail()'s default,
 * "WordPress <wordpress@" the site's host without www ">". */
static void
sender(const struct cfg *cfg, char *out, size_t outsz)
{
	const char *h = cfg->site_url ? strstr(cfg->site_url, "://") : NULL;
	size_t n;

	if (cfg->mail_from != NULL) {
		snprintf(out, outsz, "%s", cfg->mail_from);
		return;
	}
	h = h ? h + 3 : "localhost";
	if (strncmp(h, "www.", 4) == 0)
		h += 4;
	n = strcspn(h, ":/?#");
	snprintf(out, outsz, "WordPress <wordpress@%.*s>", (int)n, h);
}

static bool
is_ascii(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* Text that may stand in a header: valid UTF-8 without control bytes
 * (tab allowed), so no CR, LF or NUL can start a header of its own. */
static bool
is_header_text(const char *s)
{
	return utf8_is_valid(s, strlen(s), UTF8_TAB);
}

/* One address as it stands in To and in the envelope: printable ASCII
 * without blanks, quotes or separators, an @ neither first nor last. */
static bool
is_bare_address(const char *s)
{
	const char *at = strchr(s, '@');
	size_t i;

	if (at == NULL || at == s || at[1] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f ||
		    strchr("<>\"(),;:\\[]", s[i]))
			return false;
	return true;
}

/* Append s[0..len) as RFC 2047 "B" encoded words that each hold at most
 * MAIL_WORD_MAX bytes cut between UTF-8 characters, one per line after
 * the first (folded with CRLF and a space), so that no line of the
 * header passes 76 characters. */
static void
put_encoded(struct buf *out, const char *s, size_t len)
{
	unsigned char b64[4 * ((MAIL_WORD_MAX + 2) / 3) + 1];
	size_t i = 0, n, k;

	while (i < len) {
		for (n = 0; i + n < len; n += k) {
			k = utf8_seqlen(s + i + n, len - i - n);
			if (n + (k ? k : 1) > MAIL_WORD_MAX)
				break;
			k = k ? k : 1;
		}
		EVP_EncodeBlock(b64, (const unsigned char *)s + i, (int)n);
		buf_printf(out, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", b64);
		i += n;
	}
}

/* Append header text: as it is when ASCII, else encoded. */
static void
put_text(struct buf *out, const char *s, size_t len)
{
	if (is_ascii(s, len))
		buf_add(out, s, len);
	else
		put_encoded(out, s, len);
}

/* Append the From header for "addr" or "Name <addr>"; a name with
 * non-ASCII bytes is encoded (without the quotes around it). */
static void
put_from(struct buf *out, const char *from)
{
	const char *lt = strrchr(from, '<');
	size_t n;

	buf_addstr(out, "From: ");
	if (lt == NULL || is_ascii(from, (size_t)(lt - from))) {
		buf_addstr(out, from);
	} else {
		n = (size_t)(lt - from);
		str_trim(&from, &n);
		if (n >= 2 && from[0] == '"' && from[n - 1] == '"') {
			from++;
			n -= 2;
		}
		put_encoded(out, from, n);
		buf_printf(out, " %s", lt);
	}
	buf_addstr(out, "\r\n");
}

enum mw_err
mail_compose(const struct cfg *cfg, const char *to, const char *subject,
	     const char *body, struct buf *out)
{
	char from[256], date[64], mid[40];
	unsigned char rnd[12];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	sender(cfg, from, sizeof(from));
	if (!is_bare_address(to) || !is_header_text(subject) ||
	    !is_header_text(from) || strlen(subject) > MAIL_SUBJECT_MAX)
		return MW_EINPUT;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		memset(rnd, 0, sizeof(rnd));
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(mid + 2 * i, sizeof(mid) - 2 * i, "%02x", rnd[i]);
	put_from(out, from);
	buf_printf(out, "To: %s\r\nDate: %s\r\nMessage-ID: <%s@mautic-wp>\r\n",
		   to, date, mid);
	buf_addstr(out, "Subject: ");
	put_text(out, subject, strlen(subject));
	buf_addstr(
		out,
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
	buf_addstr(out, body);
	return buf_error(out);
}

/* Write all of msg to fd, giving up after the deadline. */
static bool
write_all(int fd, const char *msg, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(fd, msg + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		off += (size_t)w;
	}
	return true;
}

static enum mw_err
send_sendmail(const struct cfg *cfg, const char *to, const struct buf *msg)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = {cfg->sendmail, (char *)"-oi", (char *)"--", (char *)to,
			NULL};
	int fds[2], status = 0, waited = 0;
	pid_t pid;
	bool ok;

	if (pipe(fds) != 0)
		return MW_EINTERNAL;
	/* Only the dup2'ed stdin may reach sendmail, or it never sees EOF. */
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], STDIN_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
					 O_WRONLY, 0);
	if (posix_spawn(&pid, cfg->sendmail, &fa, NULL, argv, environ) != 0) {
		log_err("mail: cannot run %s: %s", cfg->sendmail,
			strerror(errno));
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return MW_EUPSTREAM;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	ok = write_all(fds[1], msg->p, msg->len);
	close(fds[1]);
	/* Wait, but not forever: a hung sendmail must not hang the webhook. */
	while (waitpid(pid, &status, WNOHANG) == 0) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		if (++waited > MAIL_TIMEOUT_MS / 10) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			ok = false;
			break;
		}
		nanosleep(&ts, NULL);
	}
	if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_err("mail: %s failed (status %d)", cfg->sendmail, status);
		return MW_EUPSTREAM;
	}
	return MW_OK;
}

struct reader {
	const struct buf *msg;
	size_t off;
};

static size_t
on_read(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct reader *r = userdata;
	size_t n = size * nmemb, left = r->msg->len - r->off;

	if (n > left)
		n = left;
	memcpy(ptr, r->msg->p + r->off, n);
	r->off += n;
	return n;
}

static enum mw_err
send_smtp(const struct cfg *cfg, const char *to, const char *from,
	  const struct buf *msg)
{
	struct reader rd = {msg, 0};
	struct curl_slist *rcpt = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", addr[256];
	CURL *c;
	CURLcode cc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (c = curl_easy_init()) == NULL)
		return MW_EINTERNAL;
	bare_address(from, addr, sizeof(addr));
	rcpt = curl_slist_append(NULL, to);
	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &rd);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)MAIL_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (cfg->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file);
	cc = rcpt != NULL ? curl_easy_perform(c) : CURLE_OUT_OF_MEMORY;
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK) {
		log_err("mail: SMTP failed: %s (%s)", curl_easy_strerror(cc),
			errbuf);
		return MW_EUPSTREAM;
	}
	return MW_OK;
}

enum mw_err
mail_send(const struct cfg *cfg, const char *to, const char *subject,
	  const char *body)
{
	struct buf msg;
	char from[256];
	enum mw_err rc;

	/* With transport = wordpress, WordPress sends it (the mu-plugin). */
	if (cfg->mail_transport == CFG_MAIL_WORDPRESS)
		return MW_EINTERNAL;
	buf_init(&msg, 1u << 20);
	rc = mail_compose(cfg, to, subject, body, &msg);
	if (rc == MW_OK) {
		sender(cfg, from, sizeof(from));
		rc = cfg->mail_transport == CFG_MAIL_SMTP
			     ? send_smtp(cfg, to, from, &msg)
			     : send_sendmail(cfg, to, &msg);
	}
	buf_free(&msg);
	return rc;
}

enum mw_err
mail_probe(const struct cfg *cfg, char *err, size_t errsz)
{
	CURL *h;
	CURLcode cc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (h = curl_easy_init()) == NULL) {
		snprintf(err, errsz, "cannot start libcurl");
		return MW_ENOMEM;
	}
	curl_easy_setopt(h, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
	if (cfg->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_file);
	cc = curl_easy_perform(h);
	curl_easy_cleanup(h);
	if (cc == CURLE_OK)
		return MW_OK;
	snprintf(err, errsz, "%s", curl_easy_strerror(cc));
	return MW_EUPSTREAM;
}
