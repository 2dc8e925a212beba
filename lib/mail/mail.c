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

extern char **environ;

static bool
has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

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

/* wp_mail()'s default sender: wordpress@ the site's host without www. */
static void
default_from(const struct cfg *cfg, char *out, size_t outsz)
{
	const char *h = cfg->site_url ? strstr(cfg->site_url, "://") : NULL;
	size_t n;

	h = h ? h + 3 : "localhost";
	if (strncmp(h, "www.", 4) == 0)
		h += 4;
	n = strcspn(h, ":/?#");
	snprintf(out, outsz, "WordPress <wordpress@%.*s>", (int)n, h);
}

static bool
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

enum mw_err
mail_compose(const struct cfg *cfg, const char *to, const char *subject,
	     const char *body, struct buf *out)
{
	char from[256], date[64], mid[40];
	unsigned char rnd[12];
	unsigned char b64[128];
	time_t now = time(NULL);
	struct tm tm;
	enum mw_err rc;
	size_t i;

	if (cfg->mail_from != NULL)
		snprintf(from, sizeof(from), "%s", cfg->mail_from);
	else
		default_from(cfg, from, sizeof(from));
	if (has_crlf(to) || has_crlf(subject) || has_crlf(from) ||
	    strlen(subject) > 90)
		return MW_EINPUT;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		memset(rnd, 0, sizeof(rnd));
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(mid + 2 * i, sizeof(mid) - 2 * i, "%02x", rnd[i]);
	rc = buf_printf(
		out,
		"From: %s\r\nTo: %s\r\nDate: %s\r\nMessage-ID: <%s@mautic-wp>\r\n",
		from, to, date, mid);
	if (rc != MW_OK)
		return rc;
	if (is_ascii(subject)) {
		rc = buf_printf(out, "Subject: %s\r\n", subject);
	} else {
		EVP_EncodeBlock(b64, (const unsigned char *)subject,
				(int)strlen(subject));
		rc = buf_printf(out, "Subject: =?UTF-8?B?%s?=\r\n", b64);
	}
	if (rc == MW_OK)
		rc = buf_addstr(
			out,
			"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
	if (rc == MW_OK)
		rc = buf_addstr(out, body);
	return rc;
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

	buf_init(&msg, 1u << 20);
	rc = mail_compose(cfg, to, subject, body, &msg);
	if (rc == MW_OK) {
		if (cfg->mail_from != NULL)
			snprintf(from, sizeof(from), "%s", cfg->mail_from);
		else
			default_from(cfg, from, sizeof(from));
		rc = cfg->mail_transport == CFG_MAIL_SMTP
			     ? send_smtp(cfg, to, from, &msg)
			     : send_sendmail(cfg, to, &msg);
	}
	buf_free(&msg);
	return rc;
}
