/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mautic_token.c - OAuth2 client credentials: the access token fetched
 * from Mautic and kept in a file that every process of the host shares
 * (locked while one of them fetches), refreshed before it expires.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <cjson/cJSON.h>

#include "base/clock.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/strparse.h"
#include "mautic/mautic_int.h"

/* ---- OAuth2 client_credentials with a token file shared by processes ---- */

/* Read a still-valid token for this Mautic and client from the cache. */
static char *
cache_read(const struct cfg *cfg)
{
	char raw[TOKEN_MAX];
	ssize_t n;
	int fd;
	cJSON *root;
	const cJSON *url, *cid, *tok, *exp;
	char *token = NULL;

	fd = open(cfg->token_cache, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	n = read(fd, raw, sizeof(raw));
	close(fd);
	if (n <= 0 || (size_t)n >= sizeof(raw))
		return NULL;
	root = cJSON_ParseWithLength(raw, (size_t)n);
	explicit_bzero(raw, sizeof(raw));
	url = cJSON_GetObjectItemCaseSensitive(root, "url");
	cid = cJSON_GetObjectItemCaseSensitive(root, "client_id");
	tok = cJSON_GetObjectItemCaseSensitive(root, "access_token");
	exp = cJSON_GetObjectItemCaseSensitive(root, "expires_at");
	if (cJSON_IsString(url) && cJSON_IsString(cid) && cJSON_IsString(tok) &&
	    cJSON_IsNumber(exp) &&
	    strcmp(url->valuestring, cfg->mautic_url) == 0 &&
	    strcmp(cid->valuestring, cfg->client_id) == 0 &&
	    exp->valuedouble > (double)(time(NULL) + TOKEN_MARGIN_S) &&
	    tok->valuestring[0] != '\0')
		token = strdup(tok->valuestring);
	if (cJSON_IsString(tok))
		explicit_bzero(tok->valuestring, strlen(tok->valuestring));
	cJSON_Delete(root);
	return token;
}

/* Write the token file atomically (temp file, 0600, rename). */
static void
cache_write(const struct cfg *cfg, const char *token, long long expires_at)
{
	char tmp[4096];
	cJSON *root;
	char *text = NULL;
	int fd = -1;
	size_t len;

	root = cJSON_CreateObject();
	if (root == NULL ||
	    cJSON_AddStringToObject(root, "url", cfg->mautic_url) == NULL ||
	    cJSON_AddStringToObject(root, "client_id", cfg->client_id) ==
		    NULL ||
	    cJSON_AddStringToObject(root, "access_token", token) == NULL ||
	    cJSON_AddNumberToObject(root, "expires_at", (double)expires_at) ==
		    NULL)
		goto out;
	text = cJSON_PrintUnformatted(root);
	if (text == NULL)
		goto out;
	len = strlen(text);
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", cfg->token_cache,
		 (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) != 0 ||
	    rename(tmp, cfg->token_cache) != 0) {
		log_warn("mautic: cannot write token_cache %s: %s",
			 cfg->token_cache, strerror(errno));
		unlink(tmp);
	}
out:
	if (fd >= 0)
		close(fd);
	if (text != NULL) {
		explicit_bzero(text, strlen(text));
		free(text);
	}
	cJSON_Delete(root);
}

/* Take the cache lock, waiting at most until the deadline.  Returns the
 * lock fd, or -1 when there is no lock to be had (we go on without). */
static int
cache_lock(struct mautic *m)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s.lock", m->cfg->token_cache);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		if (errno != EWOULDBLOCK || mw_now_ms() >= m->deadline_ms) {
			close(fd);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	return fd;
}

/* POST /oauth/v2/token and keep the answer in m->token and the cache. */
static enum mw_err
token_fetch(struct mautic *m)
{
	const struct cfg *cfg = m->cfg;
	struct exchange x = {"POST",
			     "/oauth/v2/token",
			     NULL,
			     "application/x-www-form-urlencoded",
			     false,
			     0,
			     {NULL, 0, 0, 0, MW_OK}};
	struct buf form;
	char *id = NULL, *sec = NULL, type[64], msg[256];
	cJSON *root = NULL;
	const cJSON *tok = NULL, *exp;
	enum mw_err rc;

	buf_init(&form, 4096);
	buf_init(&x.answer, MAUTIC_ANSWER_MAX);
	rc = mautic_ensure_curl(m);
	if (rc != MW_OK)
		goto out;
	id = curl_easy_escape(m->curl, cfg->client_id, 0);
	sec = curl_easy_escape(m->curl, cfg->client_secret, 0);
	rc = MW_ENOMEM;
	if (id == NULL || sec == NULL ||
	    buf_printf(
		    &form,
		    "grant_type=client_credentials&client_id=%s&client_secret=%s",
		    id, sec) != MW_OK)
		goto out;
	x.body = form.p;
	rc = mautic_perform(m, &x);
	if (rc != MW_OK)
		goto out;
	rc = MW_EUPSTREAM;
	if (x.status != 200) {
		mautic_error_info(&x.answer, type, sizeof(type), msg,
				  sizeof(msg));
		log_err("mautic: token request refused: HTTP %ld %s: %s",
			x.status, type, msg);
		goto out;
	}
	root = cJSON_ParseWithLength(x.answer.p ? x.answer.p : "",
				     x.answer.len);
	tok = cJSON_GetObjectItemCaseSensitive(root, "access_token");
	exp = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
	if (!cJSON_IsString(tok) || tok->valuestring[0] == '\0' ||
	    strlen(tok->valuestring) > TOKEN_MAX / 2) {
		log_err("mautic: token answer has no access_token");
		goto out;
	}
	mautic_drop_token(m);
	m->token = strdup(tok->valuestring);
	if (m->token == NULL) {
		rc = MW_ENOMEM;
		goto out;
	}
	cache_write(cfg, m->token,
		    (long long)time(NULL) +
			    (cJSON_IsNumber(exp) && exp->valuedouble > 0 &&
					     exp->valuedouble < 1e9
				     ? (long long)exp->valuedouble
				     : 3600));
	log_debug("mautic: fetched a new OAuth2 token");
	rc = MW_OK;
out:
	if (root != NULL) {
		if (cJSON_IsString(tok))
			explicit_bzero(tok->valuestring,
				       strlen(tok->valuestring));
		cJSON_Delete(root);
	}
	if (id != NULL)
		curl_free(id);
	if (sec != NULL) {
		explicit_bzero(sec, strlen(sec));
		curl_free(sec);
	}
	buf_free(&form);
	buf_free(&x.answer);
	return rc;
}

/* Make sure m->token is set.  With stale set, the token we hold was just
 * refused: only a different cached token or a new one will do. */
enum mw_err
mautic_token_get(struct mautic *m, bool stale)
{
	char *cached;
	int lock;
	enum mw_err rc;

	if (m->token != NULL && !stale)
		return MW_OK;
	cached = cache_read(m->cfg);
	if (cached != NULL &&
	    (!stale || m->token == NULL || strcmp(cached, m->token) != 0)) {
		mautic_drop_token(m);
		m->token = cached;
		return MW_OK;
	}
	/* Serialise the fetch so that concurrent requests make one call. */
	lock = cache_lock(m);
	if (cached != NULL) {
		explicit_bzero(cached, strlen(cached));
		free(cached);
	}
	cached = lock >= 0 ? cache_read(m->cfg) : NULL;
	if (cached != NULL &&
	    (m->token == NULL || strcmp(cached, m->token) != 0)) {
		mautic_drop_token(m);
		m->token = cached;
		rc = MW_OK;
	} else {
		if (cached != NULL) {
			explicit_bzero(cached, strlen(cached));
			free(cached);
		}
		rc = token_fetch(m);
	}
	if (lock >= 0)
		close(lock);
	return rc;
}

/* Forget a refused token, in memory and in the cache. */
void
mautic_token_refused(struct mautic *m)
{
	char *cached = cache_read(m->cfg);

	if (cached != NULL && m->token != NULL && strcmp(cached, m->token) == 0)
		unlink(m->cfg->token_cache);
	if (cached != NULL) {
		explicit_bzero(cached, strlen(cached));
		free(cached);
	}
}
