/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spool.c - the durable local queue (see spool.h): write to tmp/, fsync,
 * rename into new/, fsync the directory; read back with O_NOFOLLOW and
 * every check a file from an untrusted place deserves.
 */
#define _GNU_SOURCE
#include "queue/spool_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/strparse.h"

#define MAGIC "MWQ1"

long long
spool_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint32_t
spool_crc32(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint32_t c = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= s[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return c ^ 0xffffffffu;
}

void
set_why(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whysz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
}

bool
path_of(char *out, const char *dir, const char *sub, const char *name)
{
	int n = snprintf(out, PATH_LEN, "%s/%s%s%s", dir, sub, name ? "/" : "",
			 name ? name : "");

	return n > 0 && n < PATH_LEN;
}

enum mw_err
sync_dir(const char *dir, const char *sub)
{
	char p[PATH_LEN];
	int fd, rc;

	if (!path_of(p, dir, sub, NULL))
		return MW_EINTERNAL;
	fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return MW_EINTERNAL;
	rc = fsync(fd);
	close(fd);
	return rc == 0 ? MW_OK : MW_EINTERNAL;
}

/* A directory we own, not a symlink; made 0700 when missing. */
static enum mw_err
own_dir(const char *p, char *why, size_t whysz)
{
	struct stat st;

	if (lstat(p, &st) != 0) {
		if (errno != ENOENT || mkdir(p, 0700) != 0 ||
		    lstat(p, &st) != 0) {
			set_why(why, whysz, "%s: cannot create the directory",
				p);
			return MW_ECONFIG;
		}
	}
	if (!S_ISDIR(st.st_mode)) {
		set_why(why, whysz, "%s: not a directory (or a symlink)", p);
		return MW_ECONFIG;
	}
	if (st.st_uid != geteuid()) {
		set_why(why, whysz, "%s: owned by another user", p);
		return MW_ECONFIG;
	}
	if ((st.st_mode & 0077) != 0 && chmod(p, 0700) != 0) {
		set_why(why, whysz, "%s: others may enter it", p);
		return MW_ECONFIG;
	}
	return MW_OK;
}

enum mw_err
spool_init(const char *dir, char *why, size_t whysz)
{
	static const char *const subs[] = {"tmp", "new", "dead"};
	char p[PATH_LEN];
	enum mw_err rc;
	size_t i;

	if (dir == NULL || dir[0] != '/') {
		set_why(why, whysz, "%s: the spool must be an absolute path",
			dir ? dir : "(none)");
		return MW_ECONFIG;
	}
	rc = own_dir(dir, why, whysz);
	for (i = 0; rc == MW_OK && i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (!path_of(p, dir, subs[i], NULL))
			return MW_ECONFIG;
		rc = own_dir(p, why, whysz);
	}
	return rc;
}

/* ---- the format -----------------------------------------------------------
 */

/* A text field fits and has no byte below 0x20. */
static bool
clean(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

size_t
spool_encode(const struct spool_job *j, char *buf, size_t bufsz)
{
	char payload[SPOOL_FILE_MAX];
	int n, h;

	if (!clean(j->action) || !clean(j->role) || !clean(j->email) ||
	    !clean(j->reqid) || !clean(j->error))
		return 0;
	n = snprintf(payload, sizeof(payload),
		     "version=%d\naction=%s\ncontact=%llu\nrole=%s\nemail=%s\n"
		     "notify=%d\nreceived=%lld\nattempts=%u\nnext=%lld\n"
		     "reqid=%s\nerror=%s\n",
		     SPOOL_VERSION, j->action,
		     (unsigned long long)j->contact_id, j->role, j->email,
		     j->notify ? 1 : 0, j->received_ms, j->attempts, j->next_ms,
		     j->reqid, j->error);
	if (n <= 0 || (size_t)n >= sizeof(payload))
		return 0;
	h = snprintf(buf, bufsz, MAGIC " %d %08x\n", n,
		     (unsigned)spool_crc32(payload, (size_t)n));
	if (h <= 0 || (size_t)h + (size_t)n > bufsz)
		return 0;
	memcpy(buf + h, payload, (size_t)n);
	return (size_t)h + (size_t)n;
}

static bool
copy_text(char *dst, size_t dstsz, const char *v, size_t len)
{
	if (len >= dstsz)
		return false;
	memcpy(dst, v, len);
	dst[len] = '\0';
	return clean(dst);
}

/* The payload's keys: how each value is read and where it goes. */
enum field_kind {
	FK_VERSION, /* checked, not kept */
	FK_TEXT,    /* a char array; min 1: not empty */
	FK_U64,
	FK_LL,
	FK_UINT,
	FK_BOOL
};

struct field {
	const char *key;
	enum field_kind kind;
	size_t off, size; /* the member of struct spool_job */
	uint64_t min, max;
};

#define FIELD(key, kind, member, min, max)                                     \
	{                                                                      \
		key, kind, offsetof(struct spool_job, member),                 \
			sizeof(((struct spool_job *)NULL)->member), min, max   \
	}

static const struct field fields[] = {
	{"version", FK_VERSION, 0, 0, SPOOL_VERSION, SPOOL_VERSION},
	FIELD("action", FK_TEXT, action, 1, 0),
	FIELD("contact", FK_U64, contact_id, 1, (uint64_t)1 << 53),
	FIELD("role", FK_TEXT, role, 0, 0),
	FIELD("email", FK_TEXT, email, 0, 0),
	FIELD("notify", FK_BOOL, notify, 0, 1),
	FIELD("received", FK_LL, received_ms, 0, (uint64_t)1 << 62),
	FIELD("attempts", FK_UINT, attempts, 0, 1000000),
	FIELD("next", FK_LL, next_ms, 0, (uint64_t)1 << 62),
	FIELD("reqid", FK_TEXT, reqid, 0, 0),
	FIELD("error", FK_TEXT, error, 0, 0),
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))
#define ALL_FIELDS ((1u << NFIELDS) - 1)

/* One key=value line of the payload into out; false when the key is
 * unknown or seen before, or the value bad. */
static bool
decode_line(const char *k, size_t klen, const char *v, size_t vlen,
	    struct spool_job *out, unsigned *seen)
{
	const struct field *f = NULL;
	char *dst;
	uint64_t u;
	size_t i;

	for (i = 0; i < NFIELDS && f == NULL; i++)
		if (strlen(fields[i].key) == klen &&
		    memcmp(fields[i].key, k, klen) == 0)
			f = &fields[i];
	if (f == NULL || (*seen & 1u << (f - fields)) != 0)
		return false;
	*seen |= 1u << (f - fields);
	dst = (char *)out + f->off;
	if (f->kind == FK_TEXT)
		return vlen >= f->min && copy_text(dst, f->size, v, vlen);
	if (str_u64(v, vlen, f->min, f->max, &u) != MW_OK)
		return false;
	switch (f->kind) {
	case FK_U64:
		*(uint64_t *)(void *)dst = u;
		break;
	case FK_LL:
		*(long long *)(void *)dst = (long long)u;
		break;
	case FK_UINT:
		*(unsigned *)(void *)dst = (unsigned)u;
		break;
	case FK_BOOL:
		*(bool *)(void *)dst = u == 1;
		break;
	default: /* FK_VERSION: checked only */
		break;
	}
	return true;
}

/* Eight lower-case hex digits. */
static bool
hex32(const char *s, uint64_t *out)
{
	int i, v;

	*out = 0;
	for (i = 0; i < 8; i++) {
		if (s[i] >= 'A' && s[i] <= 'F')
			return false;
		v = str_hexval(s[i]);
		if (v < 0)
			return false;
		*out = *out << 4 | (uint64_t)v;
	}
	return true;
}

enum mw_err
spool_decode(const char *buf, size_t len, struct spool_job *out, char *why,
	     size_t whysz)
{
	const char *nl, *p, *end, *sp1, *sp2;
	uint64_t plen, crc;
	unsigned seen = 0;

	memset(out, 0, sizeof(*out));
	nl = memchr(buf, '\n', len < 64 ? len : 64);
	if (len < 5 || memcmp(buf, MAGIC " ", 5) != 0 || nl == NULL) {
		set_why(why, whysz, "%s", "not a job file (bad header)");
		return MW_EINPUT;
	}
	sp1 = buf + 4;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(nl - sp1 - 1));
	if (sp2 == NULL ||
	    str_u64(sp1 + 1, (size_t)(sp2 - sp1 - 1), 1, SPOOL_FILE_MAX,
		    &plen) != MW_OK ||
	    nl - sp2 - 1 != 8 || !hex32(sp2 + 1, &crc)) {
		set_why(why, whysz, "%s", "not a job file (bad header)");
		return MW_EINPUT;
	}
	p = nl + 1;
	if ((size_t)(buf + len - p) != plen) {
		set_why(why, whysz, "%s",
			"truncated or padded (length does not match)");
		return MW_EINPUT;
	}
	if (spool_crc32(p, plen) != (uint32_t)crc) {
		set_why(why, whysz, "%s", "damaged (checksum does not match)");
		return MW_EINPUT;
	}
	end = p + plen;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *eq;

		if (eol == NULL)
			break;
		eq = memchr(p, '=', (size_t)(eol - p));
		if (eq == NULL ||
		    !decode_line(p, (size_t)(eq - p), eq + 1,
				 (size_t)(eol - eq - 1), out, &seen)) {
			set_why(why, whysz, "%s", "bad field in the job");
			return MW_EINPUT;
		}
		p = eol + 1;
	}
	if (p != end || seen != ALL_FIELDS) {
		set_why(why, whysz, "%s", "incomplete job");
		return MW_EINPUT;
	}
	return MW_OK;
}

/* ---- files ------------------------------------------------------------ */

enum mw_err
write_tmp(const char *dir, const char *name, const char *data, size_t len)
{
	char p[PATH_LEN];
	size_t off = 0;
	int fd;

	if (!path_of(p, dir, "tmp", name))
		return MW_EINTERNAL;
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		log_err("queue: cannot create %s: %s", p, strerror(errno));
		return MW_EINTERNAL;
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off != len || fsync(fd) != 0) {
		log_err("queue: cannot write %s: %s", p, strerror(errno));
		close(fd);
		unlink(p);
		return MW_EINTERNAL;
	}
	if (close(fd) != 0) {
		unlink(p);
		return MW_EINTERNAL;
	}
	return MW_OK;
}

enum mw_err
move(const char *dir, const char *from, const char *to, const char *name)
{
	char a[PATH_LEN], b[PATH_LEN];

	if (!path_of(a, dir, from, name) || !path_of(b, dir, to, name))
		return MW_EINTERNAL;
	if (rename(a, b) != 0) {
		log_err("queue: cannot move %s to %s/: %s", a, to,
			strerror(errno));
		return MW_EINTERNAL;
	}
	return MW_OK;
}

void
new_stem(char out[SPOOL_NAME_MAX])
{
	static unsigned seq;
	struct timespec ts;
	unsigned rnd = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (unsigned)ts.tv_nsec;
	snprintf(out, SPOOL_NAME_MAX, "%016llu-%d-%u-%08x",
		 (unsigned long long)ts.tv_sec * 1000000ull +
			 (unsigned long long)ts.tv_nsec / 1000ull,
		 (int)getpid(), seq++, rnd);
}

/* Files in new/, stopping once over limit (0 = count them all). */
static enum mw_err
count_dir(const char *dir, const char *sub, uint64_t limit, size_t *n)
{
	char p[PATH_LEN];
	struct dirent *e;
	DIR *d;

	*n = 0;
	if (!path_of(p, dir, sub, NULL))
		return MW_EINTERNAL;
	d = opendir(p);
	if (d == NULL)
		/* A subdirectory not made yet (the first job makes new/ and
		 * tmp/, the first dead letter dead/) holds nothing. */
		return errno == ENOENT ? MW_OK : MW_EINTERNAL;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		(*n)++;
		if (limit != 0 && *n > limit)
			break;
	}
	closedir(d);
	return MW_OK;
}

/* A job file's name: the stem and ".job". */
static void
new_name(char out[SPOOL_NAME_MAX])
{
	char stem[SPOOL_NAME_MAX];

	new_stem(stem);
	if (snprintf(out, SPOOL_NAME_MAX, "%s.job", stem) >= SPOOL_NAME_MAX)
		out[0] = '\0'; /* cannot happen: a stem is at most 52 bytes */
}

/* Whether new/ might hold more than max_jobs - n files, judged from the
 * directory's size without reading it: every entry takes at least 16
 * bytes of it on the usual file systems (ext4, xfs, btrfs, tmpfs), so a
 * small directory cannot hold many.  Only a directory that might be near
 * the limit is counted. */
static bool
maybe_full(const char *dir, uint64_t max_jobs, size_t n)
{
	char p[PATH_LEN];
	struct stat st;

	if (!path_of(p, dir, "new", NULL) || stat(p, &st) != 0)
		return true;
	return (uint64_t)st.st_size / 16 + n > max_jobs;
}

enum mw_err
spool_put(const char *dir, uint64_t max_jobs, bool journal,
	  struct spool_job *jobs, size_t n)
{
	char buf[SPOOL_FILE_MAX];
	size_t i, k, have = 0;
	enum mw_err rc = MW_OK;

	if (n == 0)
		return MW_OK;
	/* Every slot of the journal counts as taken until counted. */
	if (!maybe_full(dir, max_jobs, n + SPOOL_JOURNAL_SLOTS))
		goto write;
	rc = count_dir(dir, "new", max_jobs, &have);
	if (rc != MW_OK) {
		log_err("queue: %s/new cannot be read", dir);
		return rc;
	}
	have += journal_depth(dir);
	if (have + n > max_jobs) {
		log_err("queue: full (%zu jobs, max_jobs=%llu)", have,
			(unsigned long long)max_jobs);
		return MW_EFULL;
	}
write:
	/* The journal when it has room, else files. */
	rc = journal ? journal_put(dir, jobs, n) : MW_EFULL;
	if (rc != MW_EFULL)
		return rc;
	rc = MW_OK;
	for (i = 0; rc == MW_OK && i < n; i++) {
		size_t len;

		new_name(jobs[i].name);
		len = spool_encode(&jobs[i], buf, sizeof(buf));
		rc = len > 0 ? write_tmp(dir, jobs[i].name, buf, len)
			     : MW_EINTERNAL;
	}
	if (rc != MW_OK) {
		/* jobs[0 .. i-2] are in tmp/: remove them. */
		for (k = 0; k + 1 < i; k++) {
			char p[PATH_LEN];

			if (path_of(p, dir, "tmp", jobs[k].name))
				unlink(p);
		}
		return rc;
	}
	for (i = 0; rc == MW_OK && i < n; i++)
		rc = move(dir, "tmp", "new", jobs[i].name);
	if (rc == MW_OK)
		rc = sync_dir(dir, "new");
	if (rc != MW_OK) {
		/* Take back what was moved and what was not. */
		for (k = 0; k < n; k++) {
			char p[PATH_LEN];

			if (path_of(p, dir, "new", jobs[k].name))
				unlink(p);
			if (path_of(p, dir, "tmp", jobs[k].name))
				unlink(p);
		}
		if (sync_dir(dir, "new") != MW_OK)
			log_err("queue: %s/new cannot be synced", dir);
	}
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool
names_add(struct names *l, const char *name)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **nv = realloc(l->v, cap * sizeof(*nv));

		if (nv == NULL)
			return false;
		l->v = nv;
		l->cap = cap;
	}
	if ((l->v[l->n] = strdup(name)) == NULL)
		return false;
	l->n++;
	return true;
}

void
spool_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
}

/* Whether a listing of new/ takes the journal's jobs too, and whether a
 * refused journal is set aside (the worker) or only left out (--check). */
enum with_journal { FILES_ONLY, WITH_JOURNAL, WITH_JOURNAL_FIX };

/* Sorted names of sub/, without dot files; with skip_reason, without the
 * *.reason files. */
static enum mw_err
list_sub(const char *dir, const char *sub, bool skip_reason,
	 enum with_journal journal, char ***names, size_t *n)
{
	char p[PATH_LEN];
	struct dirent *e = NULL;
	struct names l = {NULL, 0, 0};
	enum mw_err rc = MW_OK;
	DIR *d;

	*names = NULL;
	*n = 0;
	if (!path_of(p, dir, sub, NULL))
		return MW_EINTERNAL;
	d = opendir(p);
	/* A subdirectory not made yet (the first job makes new/ and tmp/,
	 * the first dead letter dead/) holds nothing. */
	if (d == NULL && errno != ENOENT)
		return MW_EINTERNAL;
	while (d != NULL && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' || len >= SPOOL_NAME_MAX + 8)
			continue;
		if (skip_reason && len > 7 &&
		    strcmp(e->d_name + len - 7, ".reason") == 0)
			continue;
		if (!names_add(&l, e->d_name)) {
			rc = MW_ENOMEM;
			break;
		}
	}
	if (d != NULL)
		closedir(d);
	if (rc == MW_OK && journal != FILES_ONLY)
		rc = journal_list(dir, &l, journal == WITH_JOURNAL_FIX);
	if (rc != MW_OK) {
		spool_names_free(l.v, l.n);
		return rc;
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), cmp_str);
	*names = l.v;
	*n = l.n;
	return MW_OK;
}

enum mw_err
spool_list(const char *dir, char ***names, size_t *n)
{
	return list_sub(dir, "new", false, WITH_JOURNAL_FIX, names, n);
}

/* Read a job file from sub/ with the checks of spool_load. */
static enum mw_err
load_from(const char *dir, const char *sub, const char *name,
	  struct spool_job *out, char *why, size_t whysz)
{
	char p[PATH_LEN], buf[SPOOL_FILE_MAX + 1];
	struct stat st;
	size_t len = 0;
	enum mw_err rc;
	int fd;

	memset(out, 0, sizeof(*out));
	if (!path_of(p, dir, sub, name) || strlen(name) >= SPOOL_NAME_MAX) {
		set_why(why, whysz, "%s", "a name too long for a job");
		return MW_EINPUT;
	}
	/* The owner first: another user's file may not even be readable. */
	if (lstat(p, &st) == 0 && !S_ISLNK(st.st_mode) &&
	    st.st_uid != geteuid()) {
		set_why(why, whysz, "%s", "owned by another user");
		return MW_EINPUT;
	}
	fd = open(p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP) {
			set_why(why, whysz, "%s", "a symlink, not a job file");
			return MW_EINPUT;
		}
		set_why(why, whysz, "cannot open it: %s", strerror(errno));
		return errno == ENOENT ? MW_EINTERNAL : MW_EINPUT;
	}
	rc = MW_EINPUT;
	if (fstat(fd, &st) != 0)
		set_why(why, whysz, "%s", "cannot stat it");
	else if (!S_ISREG(st.st_mode))
		set_why(why, whysz, "%s", "not a regular file");
	else if (st.st_uid != geteuid())
		set_why(why, whysz, "%s", "owned by another user");
	else if ((st.st_mode & 0077) != 0)
		set_why(why, whysz, "%s", "other users may read or write it");
	else if (st.st_size > SPOOL_FILE_MAX)
		set_why(why, whysz, "%s", "too large for a job file");
	else
		rc = MW_OK;
	while (rc == MW_OK && len < sizeof(buf)) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			set_why(why, whysz, "cannot read it: %s",
				strerror(errno));
			rc = MW_EINPUT;
		}
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (rc == MW_OK && len > SPOOL_FILE_MAX) {
		set_why(why, whysz, "%s", "too large for a job file");
		rc = MW_EINPUT;
	}
	if (rc == MW_OK)
		rc = spool_decode(buf, len, out, why, whysz);
	if (rc == MW_OK)
		snprintf(out->name, sizeof(out->name), "%s", name);
	return rc;
}

/* A job of the journal, not a file in new/ (a file there, whatever its
 * name, is a file). */
static bool
in_journal(const char *dir, const char *name)
{
	char p[PATH_LEN];
	struct stat st;
	unsigned slot;

	return journal_name(name, &slot) && path_of(p, dir, "new", name) &&
	       lstat(p, &st) != 0 && errno == ENOENT;
}

enum mw_err
spool_load(const char *dir, const char *name, struct spool_job *out, char *why,
	   size_t whysz)
{
	if (in_journal(dir, name))
		return journal_load(dir, name, out, why, whysz);
	return load_from(dir, "new", name, out, why, whysz);
}

enum mw_err
spool_update(const char *dir, const struct spool_job *job)
{
	char buf[SPOOL_FILE_MAX], tmp[SPOOL_NAME_MAX + 8];
	char a[PATH_LEN], b[PATH_LEN];
	size_t len;
	enum mw_err rc;

	if (in_journal(dir, job->name))
		return journal_update(dir, job);
	len = spool_encode(job, buf, sizeof(buf));
	if (len == 0)
		return MW_EINTERNAL;
	snprintf(tmp, sizeof(tmp), "%s.upd", job->name);
	rc = write_tmp(dir, tmp, buf, len);
	if (rc != MW_OK)
		return rc;
	if (!path_of(a, dir, "tmp", tmp) ||
	    !path_of(b, dir, "new", job->name) || rename(a, b) != 0) {
		unlink(a);
		return MW_EINTERNAL;
	}
	return sync_dir(dir, "new");
}

enum mw_err
spool_remove(const char *dir, const char *name)
{
	char p[PATH_LEN];

	if (in_journal(dir, name))
		return journal_remove(dir, name);
	if (!path_of(p, dir, "new", name))
		return MW_EINTERNAL;
	if (unlink(p) != 0 && errno != ENOENT)
		return MW_EINTERNAL;
	return MW_OK;
}

enum mw_err
dead_reason(const char *dir, const char *name, const char *reason)
{
	char rname[SPOOL_NAME_MAX + 32], text[512], p[PATH_LEN];
	enum mw_err rc;
	int n;

	n = snprintf(rname, sizeof(rname), "%s.reason", name);
	if (n <= 0 || (size_t)n >= sizeof(rname))
		return MW_EINTERNAL;
	n = snprintf(text, sizeof(text), "%s\n", reason);
	if (n <= 0)
		return MW_EINTERNAL;
	if ((size_t)n >= sizeof(text))
		n = (int)sizeof(text) - 1;
	if (path_of(p, dir, "tmp", rname))
		unlink(p);
	rc = write_tmp(dir, rname, text, (size_t)n);
	if (rc == MW_OK)
		rc = move(dir, "tmp", "dead", rname);
	return rc;
}

enum mw_err
spool_bury(const char *dir, const char *name, const char *reason)
{
	enum mw_err rc;

	if (in_journal(dir, name))
		return journal_bury(dir, name, reason);
	/* The reason first, so that a dead letter always has one. */
	rc = dead_reason(dir, name, reason);
	if (rc == MW_OK)
		rc = move(dir, "new", "dead", name);
	if (rc == MW_OK)
		rc = sync_dir(dir, "dead");
	if (rc == MW_OK)
		rc = sync_dir(dir, "new");
	return rc;
}

enum mw_err
spool_requeue(const char *dir, size_t *moved, size_t *left)
{
	char **names = NULL, why[128];
	size_t i, n = 0;
	enum mw_err rc;

	*moved = *left = 0;
	rc = list_sub(dir, "dead", true, FILES_ONLY, &names, &n);
	for (i = 0; rc == MW_OK && i < n; i++) {
		struct spool_job j;
		char p[PATH_LEN], rname[SPOOL_NAME_MAX + 16];

		if (load_from(dir, "dead", names[i], &j, why, sizeof(why)) !=
		    MW_OK) {
			(*left)++;
			continue;
		}
		j.attempts = 0;
		j.next_ms = 0;
		j.error[0] = '\0';
		/* A fresh name keeps the arrival time in front. */
		rc = spool_put(dir, UINT64_MAX, true, &j, 1);
		if (rc != MW_OK)
			break;
		snprintf(rname, sizeof(rname), "%s.reason", names[i]);
		if (path_of(p, dir, "dead", names[i]))
			unlink(p);
		if (path_of(p, dir, "dead", rname))
			unlink(p);
		(*moved)++;
	}
	spool_names_free(names, n);
	return rc;
}

enum mw_err
spool_stats(const char *dir, size_t *depth, long long *oldest_ms, size_t *dead)
{
	char **names = NULL;
	size_t i, n = 0;
	uint64_t us;
	enum mw_err rc;

	*depth = 0;
	*oldest_ms = 0;
	*dead = 0;
	rc = list_sub(dir, "new", false, WITH_JOURNAL, &names, &n);
	if (rc != MW_OK)
		return rc;
	*depth = n;
	/* The name starts with the arrival time in microseconds (a damaged
	 * slot's with zeros). */
	for (i = 0; i < n && *oldest_ms == 0; i++)
		if (strlen(names[i]) > 16 &&
		    str_u64(names[i], 16, 0, UINT64_MAX, &us) == MW_OK)
			*oldest_ms = (long long)(us / 1000);
	spool_names_free(names, n);
	rc = list_sub(dir, "dead", true, FILES_ONLY, &names, &n);
	if (rc == MW_OK)
		*dead = n;
	spool_names_free(names, n);
	return rc;
}

void
spool_sweep_tmp(const char *dir, long long max_age_s)
{
	char **names = NULL, p[PATH_LEN];
	size_t i, n = 0;
	struct stat st;
	time_t now = time(NULL);

	if (list_sub(dir, "tmp", false, FILES_ONLY, &names, &n) != MW_OK)
		return;
	for (i = 0; i < n; i++)
		if (path_of(p, dir, "tmp", names[i]) && lstat(p, &st) == 0 &&
		    (long long)(now - st.st_mtime) > max_age_s)
			unlink(p);
	spool_names_free(names, n);
}
