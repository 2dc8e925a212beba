/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mautic.c - Mautic REST over HTTPS with libcurl (the OAuth2 token and its
 * cache shared by processes: mautic_token.c). */
#include "mautic/mautic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <cjson/cJSON.h>

#include "base/clock.h"
#include "base/buf.h"
#include "base/strparse.h"
#include "formats/contact.h"
#include "base/log.h"
#include "mautic/mautic_int.h"

enum mw_err
mautic_open(const struct cfg *cfg, struct mautic **out)
{
	struct mautic *m;

	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return MW_ENOMEM;
	m->cfg = cfg;
	m->deadline_ms = mw_now_ms() + (long long)cfg->timeout_ms;
	*out = m;
	return MW_OK;
}

void
mautic_begin(struct mautic *m)
{
	m->deadline_ms = mw_now_ms() + (long long)m->cfg->timeout_ms;
	m->last_status = 0;
	m->retry_after_s = 0;
}

void
mautic_drop_token(struct mautic *m)
{
	if (m->token != NULL) {
		explicit_bzero(m->token, strlen(m->token));
		free(m->token);
		m->token = NULL;
	}
}

void
mautic_close(struct mautic *m)
{
	if (m == NULL)
		return;
	if (m->curl != NULL)
		curl_easy_cleanup(m->curl);
	mautic_drop_token(m);
	free(m);
}

long
mautic_last_status(const struct mautic *m)
{
	return m->last_status;
}

unsigned
mautic_calls(const struct mautic *m)
{
	return m->calls;
}

void
mautic_keep_connection(struct mautic *m)
{
	m->keep = true;
}

long
mautic_retry_after_s(const struct mautic *m)
{
	long now = (long)time(NULL);

	if (m->retry_after_s > 0)
		return m->retry_after_s;
	/* Mautic's rate limiter says when the hour's quota comes back. */
	if (m->last_status == 429 && m->ratelimit_reset > now)
		return m->ratelimit_reset - now;
	return 0;
}

/* A header value as a number of at most 12 digits, or -1. */
static long
header_number(const char *v, size_t len)
{
	uint64_t u;

	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len > 0 && strchr(" \t\r\n", v[len - 1]) != NULL)
		len--;
	if (len == 0 || len > 12 ||
	    str_u64(v, len, 0, 999999999999ull, &u) != MW_OK)
		return -1;
	return (long)u;
}

/* Retry-After (seconds) and X-RateLimit-Reset (a Unix time). */
static size_t
on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct mautic *m = userdata;
	size_t len = size * nmemb;
	long v;

	if (len > 12 && strncasecmp(ptr, "Retry-After:", 12) == 0) {
		v = header_number(ptr + 12, len - 12);
		if (v >= 0)
			m->retry_after_s = v > 3600 ? 3600 : v;
	} else if (len > 18 &&
		   strncasecmp(ptr, "X-RateLimit-Reset:", 18) == 0) {
		v = header_number(ptr + 18, len - 18);
		if (v >= 0)
			m->ratelimit_reset = v;
	}
	return len;
}

static size_t
on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct buf *b = userdata;

	if (buf_add(b, ptr, size * nmemb) != MW_OK)
		return 0; /* over the cap: curl aborts with a write error */
	return size * nmemb;
}

enum mw_err
mautic_ensure_curl(struct mautic *m)
{
	if (m->curl != NULL)
		return MW_OK;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("mautic: curl_global_init failed");
		return MW_EINTERNAL;
	}
	m->curl = curl_easy_init();
	if (m->curl == NULL) {
		log_err("mautic: curl_easy_init failed");
		return MW_ENOMEM;
	}
	return MW_OK;
}

/* Options every exchange shares; false when curl refuses one. */
static bool
set_common(struct mautic *m, struct exchange *x, long long left, char *errbuf)
{
	CURL *c = m->curl;
	const struct cfg *cfg = m->cfg;
	bool ok = true;

	curl_easy_reset(c);
	ok &= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https") == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
	if (cfg->ca_file != NULL)
		ok &= curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file) ==
		      CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)left) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)left) ==
	      CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
	/* A short-lived process closes its connection with the exchange, so
	 * that it never holds one to Mautic outside its max_parallel slot. */
	ok &= curl_easy_setopt(c, CURLOPT_FORBID_REUSE, m->keep ? 0L : 1L) ==
	      CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_USERAGENT, "mautic-wp/" MW_VERSION) ==
	      CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_WRITEDATA, &x->answer) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) ==
	      CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_HEADERDATA, m) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, x->method) == CURLE_OK;
	if (x->body != NULL)
		ok &= curl_easy_setopt(c, CURLOPT_POSTFIELDS, x->body) ==
		      CURLE_OK;
	if (x->api_auth && cfg->auth == CFG_AUTH_BASIC) {
		ok &= curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC) ==
		      CURLE_OK;
		ok &= curl_easy_setopt(c, CURLOPT_USERNAME, cfg->username) ==
		      CURLE_OK;
		ok &= curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->password) ==
		      CURLE_OK;
	}
	return ok;
}

/* One of max_parallel slots for a request to Mautic, shared by every
 * process on the host: the slot files <queue dir>/slots/N, each held with
 * flock() for the length of one exchange.  Returns the open slot file,
 * -1 when there is no slot directory (no limit then), -2 when no slot
 * came free before the budget ran out. */
static int
slot_open(const char *dir, unsigned k)
{
	char p[4200];
	int fd;

	snprintf(p, sizeof(p), "%s/slots/%u", dir, k);
	fd = open(p, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT) {
		/* The spool is there but not its slots yet. */
		snprintf(p, sizeof(p), "%s/slots", dir);
		if (mkdir(p, 0700) == 0 || errno == EEXIST) {
			snprintf(p, sizeof(p), "%s/slots/%u", dir, k);
			fd = open(p, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
				  0600);
		}
	}
	return fd;
}

static int
slot_take(struct mautic *m)
{
	unsigned n = (unsigned)m->cfg->max_parallel, start, i;
	struct timespec ts = {0, 2000000}; /* 2 ms */
	int fd;

	if (m->cfg->queue_dir == NULL || n == 0)
		return -1;
	start = (unsigned)getpid();
	for (;;) {
		for (i = 0; i < n; i++) {
			fd = slot_open(m->cfg->queue_dir, (start + i) % n);
			if (fd < 0) {
				log_debug(
					"mautic: no slot files in %s: max_parallel not enforced",
					m->cfg->queue_dir);
				return -1;
			}
			if (flock(fd, LOCK_EX | LOCK_NB) == 0)
				return fd;
			close(fd);
		}
		if (mw_now_ms() >= m->deadline_ms)
			return -2;
		nanosleep(&ts, NULL);
	}
}

static void
slot_give(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

/* Perform x within what is left of the budget.  Transport problems are
 * logged here; HTTP statuses are the caller's business. */
enum mw_err
mautic_perform(struct mautic *m, struct exchange *x)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	char url[MAUTIC_PATH_MAX + 2048], hdr[TOKEN_MAX + 32];
	struct curl_slist *h = NULL, *t;
	long long left = m->deadline_ms - mw_now_ms();
	enum mw_err rc;
	CURLcode cc;
	int slot, n;

	if (left <= 0) {
		log_err("mautic: no time left for %s %s (timeout_ms=%llu)",
			x->method, x->path,
			(unsigned long long)m->cfg->timeout_ms);
		return MW_ETIMEOUT;
	}
	rc = mautic_ensure_curl(m);
	if (rc != MW_OK)
		return rc;
	n = snprintf(url, sizeof(url), "%s%s", m->cfg->mautic_url, x->path);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		log_err("mautic: the URL of %s %s is too long", x->method,
			x->path);
		return MW_EINTERNAL;
	}
	if (!set_common(m, x, left, errbuf) ||
	    curl_easy_setopt(m->curl, CURLOPT_URL, url) != CURLE_OK)
		return MW_EINTERNAL;
	h = curl_slist_append(h, "Accept: application/json");
	if (h != NULL && x->body != NULL) {
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", x->ctype);
		t = curl_slist_append(h, hdr);
		h = t ? t : h;
	}
	if (h != NULL && x->api_auth && m->token != NULL) {
		snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s",
			 m->token);
		t = curl_slist_append(h, hdr);
		h = t ? t : h;
		explicit_bzero(hdr, sizeof(hdr));
	}
	curl_easy_setopt(m->curl, CURLOPT_HTTPHEADER, h);
	m->calls++;
	m->last_status = 0;
	m->retry_after_s = 0;
	m->ratelimit_reset = 0;
	slot = slot_take(m);
	if (slot == -2) {
		curl_easy_setopt(m->curl, CURLOPT_HTTPHEADER, NULL);
		curl_slist_free_all(h);
		log_err("mautic: no free slot of max_parallel=%llu within the budget",
			(unsigned long long)m->cfg->max_parallel);
		return MW_ETIMEOUT;
	}
	cc = curl_easy_perform(m->curl);
	slot_give(slot);
	curl_easy_setopt(m->curl, CURLOPT_HTTPHEADER, NULL);
	for (t = h; t != NULL; t = t->next)
		explicit_bzero(t->data, strlen(t->data));
	curl_slist_free_all(h);
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		log_err("mautic: %s %s timed out (timeout_ms=%llu)", x->method,
			x->path, (unsigned long long)m->cfg->timeout_ms);
		return MW_ETIMEOUT;
	}
	if (cc != CURLE_OK) {
		log_err("mautic: %s %s failed: %s (%s)", x->method, x->path,
			curl_easy_strerror(cc), errbuf);
		return MW_EUPSTREAM;
	}
	curl_easy_getinfo(m->curl, CURLINFO_RESPONSE_CODE, &x->status);
	m->last_status = x->status;
	log_debug("mautic: %s %s -> %ld (%zu bytes)", x->method, x->path,
		  x->status, x->answer.len);
	return MW_OK;
}

/* errors[0].type and .message of a Mautic error document, sanitized. */
void
mautic_error_info(const struct buf *answer, char *type, size_t typesz,
		  char *msg, size_t msgsz)
{
	cJSON *root, *e;
	const cJSON *t, *mm;

	type[0] = '\0';
	snprintf(msg, msgsz, "(no error document)");
	root = cJSON_ParseWithLength(answer->p ? answer->p : "", answer->len);
	e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "errors"),
			       0);
	t = cJSON_GetObjectItemCaseSensitive(e, "type");
	mm = cJSON_GetObjectItemCaseSensitive(e, "message");
	if (cJSON_IsString(t))
		log_sanitize(t->valuestring, strlen(t->valuestring), type,
			     typesz);
	if (cJSON_IsString(mm))
		log_sanitize(mm->valuestring, strlen(mm->valuestring), msg,
			     msgsz);
	cJSON_Delete(root);
}

/* An API exchange with credentials; with OAuth2, a 401 invalid_grant
 * fetches a new token once and repeats the exchange. */
static enum mw_err
api_call(struct mautic *m, struct exchange *x)
{
	char type[64], msg[256];
	enum mw_err rc;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		if (m->cfg->auth == CFG_AUTH_OAUTH2) {
			rc = mautic_token_get(m, attempt > 0);
			if (rc != MW_OK)
				return rc;
		}
		buf_reset(&x->answer);
		rc = mautic_perform(m, x);
		if (rc != MW_OK)
			return rc;
		if (x->status != 401 || m->cfg->auth != CFG_AUTH_OAUTH2)
			break;
		mautic_error_info(&x->answer, type, sizeof(type), msg,
				  sizeof(msg));
		if (strcmp(type, "invalid_grant") != 0)
			break;
		log_info("mautic: token refused (%s), fetching a new one", msg);
		mautic_token_refused(m);
	}
	if (x->status >= 200 && x->status < 300)
		return MW_OK;
	mautic_error_info(&x->answer, type, sizeof(type), msg, sizeof(msg));
	log_err("mautic: %s %s answered HTTP %ld %s: %s", x->method, x->path,
		x->status, type, msg);
	return MW_EUPSTREAM;
}

enum mw_err
mautic_get_contact(struct mautic *m, uint64_t id, struct contact *out)
{
	char path[64];
	struct exchange x = {
		"GET", path, NULL, NULL, true, 0, {NULL, 0, 0, 0, MW_OK}};
	enum mw_err rc;

	snprintf(path, sizeof(path), "/api/contacts/%llu",
		 (unsigned long long)id);
	buf_init(&x.answer, MAUTIC_ANSWER_MAX);
	rc = api_call(m, &x);
	if (rc == MW_OK) {
		rc = contact_parse_rest(x.answer.p ? x.answer.p : "",
					x.answer.len, out);
		if (rc == MW_EINPUT) {
			log_err("mautic: GET %s: the answer is not a contact document (%zu bytes)",
				path, x.answer.len);
			rc = MW_EUPSTREAM;
		} else if (rc == MW_OK && out->id != id) {
			/* Mautic merged the contact into another one. */
			log_info("mautic: contact %llu is now contact %llu",
				 (unsigned long long)id,
				 (unsigned long long)out->id);
		}
	}
	buf_free(&x.answer);
	return rc;
}

enum mw_err
mautic_patch_contact(struct mautic *m, uint64_t id, const char *json)
{
	char path[64];
	struct exchange x = {"PATCH",
			     path,
			     json,
			     "application/json",
			     true,
			     0,
			     {NULL, 0, 0, 0, MW_OK}};
	enum mw_err rc;

	snprintf(path, sizeof(path), "/api/contacts/%llu/edit",
		 (unsigned long long)id);
	buf_init(&x.answer, MAUTIC_ANSWER_MAX);
	rc = api_call(m, &x);
	buf_free(&x.answer);
	return rc;
}

enum mw_err
mautic_ping(struct mautic *m)
{
	struct exchange x = {"GET",
			     "/api/contacts?limit=1&minimal=1",
			     NULL,
			     NULL,
			     true,
			     0,
			     {NULL, 0, 0, 0, MW_OK}};
	enum mw_err rc;

	buf_init(&x.answer, MAUTIC_ANSWER_MAX);
	rc = api_call(m, &x);
	buf_free(&x.answer);
	return rc;
}

enum mw_err
mautic_field_aliases(struct mautic *m, char ***aliases, size_t *n)
{
	struct exchange x = {"GET",
			     "/api/fields/contact?limit=1000",
			     NULL,
			     NULL,
			     true,
			     0,
			     {NULL, 0, 0, 0, MW_OK}};
	cJSON *root = NULL;
	const cJSON *f, *fields;
	char **v = NULL;
	size_t count = 0;
	enum mw_err rc;

	buf_init(&x.answer, MAUTIC_ANSWER_MAX);
	rc = api_call(m, &x);
	if (rc != MW_OK)
		goto out;
	root = cJSON_ParseWithLength(x.answer.p ? x.answer.p : "",
				     x.answer.len);
	fields = cJSON_GetObjectItemCaseSensitive(root, "fields");
	rc = MW_EUPSTREAM;
	if (!cJSON_IsArray(fields) && !cJSON_IsObject(fields))
		goto out;
	v = calloc((size_t)cJSON_GetArraySize(fields) + 1, sizeof(*v));
	rc = MW_ENOMEM;
	if (v == NULL)
		goto out;
	cJSON_ArrayForEach(f, fields) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(f, "alias");

		if (cJSON_IsString(a) && (v[count] = strdup(a->valuestring)))
			count++;
	}
	*aliases = v;
	*n = count;
	v = NULL;
	rc = MW_OK;
out:
	free(v);
	cJSON_Delete(root);
	buf_free(&x.answer);
	return rc;
}

enum mw_err
mautic_list_contacts(struct mautic *m, const char *search, uint64_t start,
		     unsigned limit, struct contact **out, size_t *n,
		     uint64_t *total)
{
	/* An ids: search of 100 ids of 16 digits is about 1,900 bytes
	 * encoded. */
	char path[MAUTIC_PATH_MAX], *enc;
	struct exchange x = {
		"GET", path, NULL, NULL, true, 0, {NULL, 0, 0, 0, MW_OK}};
	enum mw_err rc;
	int len;

	rc = mautic_ensure_curl(m);
	if (rc != MW_OK)
		return rc;
	enc = curl_easy_escape(m->curl, search, 0);
	if (enc == NULL)
		return MW_ENOMEM;
	len = snprintf(
		path, sizeof(path),
		"/api/contacts?search=%s&start=%llu&limit=%u&orderBy=id&orderByDir=asc",
		enc, (unsigned long long)start, limit);
	curl_free(enc);
	if (len < 0 || (size_t)len >= sizeof(path)) {
		log_err("mautic: the search is too long for one request");
		return MW_EINTERNAL;
	}
	buf_init(&x.answer, MAUTIC_ANSWER_MAX * 8);
	rc = api_call(m, &x);
	if (rc == MW_OK) {
		rc = contact_parse_list(x.answer.p ? x.answer.p : "",
					x.answer.len, out, n, total);
		if (rc == MW_EINPUT) {
			log_err("mautic: GET /api/contacts: the answer is not a contact list (%zu bytes)",
				x.answer.len);
			rc = MW_EUPSTREAM;
		}
	}
	buf_free(&x.answer);
	return rc;
}
