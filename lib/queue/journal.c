/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * journal.c - the spool's fast lane: one preallocated file of fixed
 * slots, so that queueing a job is one write into blocks the file system
 * already holds and one fdatasync, with no file to create, no rename and
 * no directory to sync.  That is a single flush of one page instead of
 * two journal commits of the file system (about 0.3 ms against 1.4 ms on
 * the test machine's disk).
 *
 * <spool>/journal is JOURNAL_SLOTS slots of SLOT_SIZE bytes, written with
 * zeros when it is made, so that no later write allocates a block.  A
 * slot is free when its first four bytes are zero, else it holds one
 * record:
 *
 *   0   "MWS1"
 *   4   length of what follows the 16-byte header (little-endian u32)
 *   8   CRC-32 of those bytes (little-endian u32)
 *   12  zero
 *   16  the job's name, NUL-padded to SPOOL_NAME_MAX bytes
 *   80  the job exactly as in a job file ("MWQ1 ..." and its payload)
 *
 * A process holds an open-file-description lock (F_OFD_SETLK) on a slot
 * while it claims, writes, reads or frees it, so that a reader never
 * sees half a record and two writers never take one slot.  A record whose
 * checksum does not match was cut short by a crash before its request
 * was answered (or damaged since): the worker buries it as a dead letter.
 * Freeing a slot is not synced: after a crash the job may run again,
 * which the actions allow (they apply Mautic's state of the moment).
 *
 * When the journal is full, missing and cannot be made, or refused (not a
 * regular file, not ours, open to others, the wrong size), the spool
 * falls back to its job files.
 */
#define _GNU_SOURCE
#include "queue/spool_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/strparse.h"

#define JOURNAL "journal"
#define SLOT_SIZE 1024u
#define JOURNAL_SLOTS SPOOL_JOURNAL_SLOTS
#define JOURNAL_SIZE ((off_t)SLOT_SIZE * JOURNAL_SLOTS)
#define HDR 16u
#define NAME_OFF HDR
#define JOB_OFF (HDR + SPOOL_NAME_MAX)
#define SCAN_SLOTS 16u /* headers read at once when looking for a free slot */
#define DAMAGED_STEM "0000000000000000-damaged"

static const char magic[4] = {'M', 'W', 'S', '1'};

static void
put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t
get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static bool
is_free(const unsigned char *s)
{
	return s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0;
}

bool
journal_name(const char *name, unsigned *slot)
{
	const char *dot = strrchr(name, '.');
	uint64_t v;

	if (dot == NULL || dot[1] != 's' ||
	    str_u64(dot + 2, strlen(dot + 2), 0, JOURNAL_SLOTS - 1, &v) !=
		    MW_OK)
		return false;
	*slot = (unsigned)v;
	return true;
}

/* Lock or unlock slot's bytes; F_OFD_SETLK fails at once when another
 * holds them, F_OFD_SETLKW waits. */
static bool
slot_lock(int fd, unsigned slot, short type, bool wait)
{
	struct flock fl;
	int rc;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = (off_t)slot * SLOT_SIZE;
	fl.l_len = SLOT_SIZE;
	do
		rc = fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl);
	while (rc != 0 && errno == EINTR && wait);
	return rc == 0;
}

static void
slot_unlock(int fd, unsigned slot)
{
	(void)slot_lock(fd, slot, F_UNLCK, false);
}

static bool
pread_all(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r;

	do
		r = pread(fd, buf, n, off);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)n;
}

static bool
pwrite_all(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t r;

	do
		r = pwrite(fd, buf, n, off);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)n;
}

/* Make the journal: zeros in tmp/, fsync, then link() so that a journal
 * made meanwhile by another process is never replaced. */
static enum mw_err
make_journal(const char *dir)
{
	static const unsigned char zeros[64 * 1024];
	char stem[SPOOL_NAME_MAX], tmp[SPOOL_NAME_MAX + 16];
	char a[PATH_LEN], b[PATH_LEN];
	off_t off;
	int fd;
	bool ok;

	new_stem(stem);
	snprintf(tmp, sizeof(tmp), "%s.journal", stem);
	if (!path_of(a, dir, "tmp", tmp) || !path_of(b, dir, JOURNAL, NULL))
		return MW_EINTERNAL;
	/* path_of appends "/" only before a name: dir/journal. */
	fd = open(a, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return MW_EINTERNAL;
	for (off = 0, ok = true; ok && off < JOURNAL_SIZE; off += sizeof(zeros))
		ok = pwrite_all(fd, zeros, sizeof(zeros), off);
	ok = ok && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (ok && link(a, b) != 0 && errno != EEXIST)
		ok = false;
	unlink(a);
	if (!ok) {
		log_err("queue: cannot make %s: %s", b, strerror(errno));
		return MW_EINTERNAL;
	}
	return sync_dir(dir, ".");
}

/* Open the journal read-write after checking it (owner: the user it must
 * belong to); -1 with *missing when there is none, -1 with the reason in
 * why when it is refused. */
static int
open_journal_of(const char *dir, uid_t owner, bool *missing, char *why,
		size_t whysz)
{
	char p[PATH_LEN];
	struct stat st;
	int fd;

	*missing = false;
	if (!path_of(p, dir, JOURNAL, NULL))
		return -1;
	fd = open(p, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			*missing = true;
		else
			set_why(why, whysz, "%s",
				errno == ELOOP ? "a symlink, not the journal"
					       : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0)
		set_why(why, whysz, "%s", "cannot stat it");
	else if (!S_ISREG(st.st_mode))
		set_why(why, whysz, "%s", "not a regular file");
	else if (st.st_uid != owner)
		set_why(why, whysz, "%s", "owned by another user");
	else if ((st.st_mode & 0077) != 0)
		set_why(why, whysz, "%s", "other users may read or write it");
	else if (st.st_size != JOURNAL_SIZE)
		set_why(why, whysz, "%s", "not the journal's size");
	else
		return fd;
	close(fd);
	return -1;
}

static int
open_journal(const char *dir, bool *missing, char *why, size_t whysz)
{
	return open_journal_of(dir, geteuid(), missing, why, whysz);
}

/* Slot slot's record into name (and job, when not NULL).  1: free; 0: a
 * record; -1: damaged, why says how.  A record names its own slot; one
 * that names another is as damaged as one that fails its checksum. */
static int
decode_slot(const unsigned char *s, unsigned slot, char name[SPOOL_NAME_MAX],
	    struct spool_job *job, char *why, size_t whysz)
{
	uint32_t len;
	unsigned at;

	if (is_free(s))
		return 1;
	len = get_u32(s + 4);
	if (memcmp(s, magic, sizeof(magic)) != 0 || len < SPOOL_NAME_MAX ||
	    len > SLOT_SIZE - HDR) {
		set_why(why, whysz, "%s", "damaged journal slot (bad header)");
		return -1;
	}
	if (spool_crc32(s + HDR, len) != get_u32(s + 8)) {
		set_why(why, whysz, "%s",
			"damaged journal slot (checksum does not match: a "
			"write cut short by a crash, or damage)");
		return -1;
	}
	if (memchr(s + NAME_OFF, '\0', SPOOL_NAME_MAX) == NULL) {
		set_why(why, whysz, "%s", "damaged journal slot (bad name)");
		return -1;
	}
	memcpy(name, s + NAME_OFF, SPOOL_NAME_MAX);
	if (!journal_name(name, &at) || at != slot) {
		set_why(why, whysz, "%s",
			"damaged journal slot (a record of another slot)");
		return -1;
	}
	if (job != NULL &&
	    spool_decode((const char *)s + JOB_OFF, len - SPOOL_NAME_MAX, job,
			 why, whysz) != MW_OK)
		return -1;
	return 0;
}

/* job as a record for slot, its name given; the record's length, or 0
 * when the job does not fit a slot. */
static size_t
encode_slot(const struct spool_job *job, const char *name,
	    unsigned char s[SLOT_SIZE])
{
	size_t len;

	memset(s, 0, JOB_OFF);
	len = spool_encode(job, (char *)s + JOB_OFF, SLOT_SIZE - JOB_OFF);
	if (len == 0 || strlen(name) >= SPOOL_NAME_MAX)
		return 0;
	memcpy(s + NAME_OFF, name, strlen(name));
	len += SPOOL_NAME_MAX;
	memcpy(s, magic, sizeof(magic));
	put_u32(s + 4, (uint32_t)len);
	put_u32(s + 8, spool_crc32(s + HDR, len));
	return HDR + len;
}

/* Free slots, locked for writing, into slots[0 .. n-1]; false (nothing
 * held) when there are not n. */
static bool
claim(int fd, unsigned *slots, size_t n)
{
	/* Where the last claim ended: a kept process walks the journal
	 * instead of probing the same full slots again. */
	static unsigned cursor = JOURNAL_SLOTS;
	unsigned char hdr[SCAN_SLOTS * SLOT_SIZE];
	unsigned first, c, k;
	size_t got = 0;

	if (cursor >= JOURNAL_SLOTS)
		cursor = ((unsigned)getpid() * 2654435761u) % JOURNAL_SLOTS;
	first = cursor / SCAN_SLOTS;
	for (c = 0; c < JOURNAL_SLOTS / SCAN_SLOTS && got < n; c++) {
		unsigned chunk = (first + c) % (JOURNAL_SLOTS / SCAN_SLOTS);

		if (!pread_all(fd, hdr, sizeof(hdr),
			       (off_t)chunk * SCAN_SLOTS * SLOT_SIZE))
			break;
		for (k = 0; k < SCAN_SLOTS && got < n; k++) {
			unsigned slot = chunk * SCAN_SLOTS + k;
			unsigned char now[4];

			if (!is_free(hdr + k * SLOT_SIZE) ||
			    !slot_lock(fd, slot, F_WRLCK, false))
				continue;
			/* Taken and written between the read and the lock? */
			if (pread_all(fd, now, sizeof(now),
				      (off_t)slot * SLOT_SIZE) &&
			    is_free(now))
				slots[got++] = slot;
			else
				slot_unlock(fd, slot);
		}
	}
	if (got == n) {
		cursor = slots[n - 1] + 1;
		return true;
	}
	while (got > 0)
		slot_unlock(fd, slots[--got]);
	return false;
}

enum mw_err
journal_put(const char *dir, struct spool_job *jobs, size_t n)
{
	unsigned slots[SPOOL_JOURNAL_BATCH];
	unsigned char rec[SLOT_SIZE];
	char why[128] = "", stem[SPOOL_NAME_MAX];
	static const unsigned char zero[HDR];
	enum mw_err rc = MW_OK;
	bool missing;
	size_t i, w;
	int fd;

	if (n == 0 || n > SPOOL_JOURNAL_BATCH)
		return MW_EFULL;
	fd = open_journal(dir, &missing, why, sizeof(why));
	if (fd < 0 && missing && make_journal(dir) == MW_OK)
		fd = open_journal(dir, &missing, why, sizeof(why));
	if (fd < 0) {
		if (!missing)
			log_warn("queue: %s/" JOURNAL " not used: %s", dir,
				 why);
		return MW_EFULL;
	}
	if (!claim(fd, slots, n)) {
		close(fd);
		return MW_EFULL;
	}
	for (w = 0; rc == MW_OK && w < n; w++) {
		size_t len = 0;
		int k;

		new_stem(stem);
		k = snprintf(jobs[w].name, sizeof(jobs[w].name), "%s.s%u", stem,
			     slots[w]);
		if (k > 0 && (size_t)k < sizeof(jobs[w].name))
			len = encode_slot(&jobs[w], jobs[w].name, rec);
		if (len == 0)
			rc = MW_EFULL; /* too large for a slot: a file */
		else if (!pwrite_all(fd, rec, len, (off_t)slots[w] * SLOT_SIZE))
			rc = MW_EINTERNAL;
	}
	if (rc == MW_OK && fdatasync(fd) != 0) {
		log_err("queue: cannot sync %s/" JOURNAL ": %s", dir,
			strerror(errno));
		rc = MW_EINTERNAL;
	}
	for (i = 0; i < n; i++) {
		if (rc != MW_OK && i < w &&
		    !pwrite_all(fd, zero, sizeof(zero),
				(off_t)slots[i] * SLOT_SIZE))
			log_err("queue: slot %u of %s/" JOURNAL
				" not taken back",
				slots[i], dir);
		if (rc != MW_OK)
			jobs[i].name[0] = '\0';
		slot_unlock(fd, slots[i]);
	}
	close(fd);
	return rc;
}

/* The journal mapped for reading, or NULL when there is none or it is
 * refused (why). */
static const unsigned char *
map_journal(const char *dir, uid_t owner, bool *missing, char *why,
	    size_t whysz)
{
	void *m;
	int fd = open_journal_of(dir, owner, missing, why, whysz);

	if (fd < 0)
		return NULL;
	m = mmap(NULL, (size_t)JOURNAL_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		set_why(why, whysz, "cannot map it: %s", strerror(errno));
		return NULL;
	}
	return m;
}

/* Slots that hold a record (or damage) in a mapped journal. */
static size_t
taken_slots(const unsigned char *m)
{
	size_t n = 0;
	unsigned slot;

	for (slot = 0; slot < JOURNAL_SLOTS; slot++)
		n += !is_free(m + (size_t)slot * SLOT_SIZE);
	return n;
}

/* Whom the journal must belong to when it is only looked at (--check,
 * which may run as root): the spool's owner. */
static uid_t
spool_owner(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 ? st.st_uid : geteuid();
}

/* A refused journal goes to dead/ with its reason, like any hostile
 * file; the next queued job makes a new one. */
static void
set_aside(const char *dir, const char *why)
{
	char stem[SPOOL_NAME_MAX], name[SPOOL_NAME_MAX + 16], text[256];
	char a[PATH_LEN], b[PATH_LEN];

	new_stem(stem);
	snprintf(name, sizeof(name), "%s-journal.job", stem);
	snprintf(text, sizeof(text), "the journal: %s", why);
	log_warn("queue: %s/" JOURNAL ": %s; moved to dead/%s", dir, why, name);
	if (dead_reason(dir, name, text) != MW_OK ||
	    !path_of(a, dir, JOURNAL, NULL) || !path_of(b, dir, "dead", name) ||
	    rename(a, b) != 0 || sync_dir(dir, "dead") != MW_OK ||
	    sync_dir(dir, ".") != MW_OK)
		log_err("queue: %s/" JOURNAL " could not be set aside", dir);
}

enum mw_err
journal_list(const char *dir, struct names *l, bool set_aside_refused)
{
	char why[128] = "", name[SPOOL_NAME_MAX];
	const unsigned char *m;
	bool missing;
	unsigned slot;

	m = map_journal(dir, set_aside_refused ? geteuid() : spool_owner(dir),
			&missing, why, sizeof(why));
	if (m == NULL) {
		if (!missing && set_aside_refused)
			set_aside(dir, why);
		return MW_OK;
	}
	for (slot = 0; slot < JOURNAL_SLOTS; slot++) {
		const unsigned char *s = m + (size_t)slot * SLOT_SIZE;
		int st = decode_slot(s, slot, name, NULL, NULL, 0);

		if (st == 1)
			continue;
		if (st != 0)
			snprintf(name, sizeof(name), DAMAGED_STEM ".s%u", slot);
		if (!names_add(l, name)) {
			munmap((void *)m, (size_t)JOURNAL_SIZE);
			return MW_ENOMEM;
		}
	}
	munmap((void *)m, (size_t)JOURNAL_SIZE);
	return MW_OK;
}

size_t
journal_depth(const char *dir)
{
	const unsigned char *m;
	bool missing;
	size_t depth;

	m = map_journal(dir, geteuid(), &missing, NULL, 0);
	if (m == NULL)
		return 0;
	depth = taken_slots(m);
	munmap((void *)m, (size_t)JOURNAL_SIZE);
	return depth;
}

/* The journal opened and name's slot locked and read into s: for
 * writing (waiting for the lock), else for reading (not waiting: a slot
 * being written is skipped).  -1 with the reason when the journal or the
 * slot cannot be had. */
static int
open_slot(const char *dir, const char *name, bool for_write, unsigned *slot,
	  unsigned char s[SLOT_SIZE], char *why, size_t whysz)
{
	bool missing;
	int fd;

	if (!journal_name(name, slot)) {
		set_why(why, whysz, "%s", "not a journal name");
		return -1;
	}
	fd = open_journal(dir, &missing, why, whysz);
	if (fd < 0) {
		if (missing)
			set_why(why, whysz, "%s", "the journal is gone");
		return -1;
	}
	if (!slot_lock(fd, *slot, for_write ? F_WRLCK : F_RDLCK, for_write)) {
		set_why(why, whysz, "%s", "being written");
		close(fd);
		return -1;
	}
	if (!pread_all(fd, s, SLOT_SIZE, (off_t)*slot * SLOT_SIZE)) {
		set_why(why, whysz, "%s", "cannot read the journal");
		slot_unlock(fd, *slot);
		close(fd);
		return -1;
	}
	return fd;
}

static void
close_slot(int fd, unsigned slot)
{
	slot_unlock(fd, slot);
	close(fd);
}

enum mw_err
journal_load(const char *dir, const char *name, struct spool_job *out,
	     char *why, size_t whysz)
{
	unsigned char s[SLOT_SIZE];
	char rname[SPOOL_NAME_MAX];
	unsigned slot;
	int fd, st;

	memset(out, 0, sizeof(*out));
	fd = open_slot(dir, name, false, &slot, s, why, whysz);
	if (fd < 0)
		return MW_EINTERNAL; /* try again next pass */
	close_slot(fd, slot);
	st = decode_slot(s, slot, rname, out, why, whysz);
	if (st < 0)
		return MW_EINPUT;
	/* Freed, or freed and taken again, since the list was made. */
	if (st == 1 || strcmp(rname, name) != 0) {
		set_why(why, whysz, "%s", "gone from the journal");
		return MW_EINTERNAL;
	}
	snprintf(out->name, sizeof(out->name), "%s", name);
	return MW_OK;
}

enum mw_err
journal_update(const char *dir, const struct spool_job *job)
{
	unsigned char s[SLOT_SIZE];
	char rname[SPOOL_NAME_MAX];
	enum mw_err rc = MW_EINTERNAL;
	unsigned slot;
	size_t len;
	int fd;

	fd = open_slot(dir, job->name, true, &slot, s, NULL, 0);
	if (fd < 0)
		return MW_EINTERNAL;
	if (decode_slot(s, slot, rname, NULL, NULL, 0) == 0 &&
	    strcmp(rname, job->name) == 0 &&
	    (len = encode_slot(job, job->name, s)) > 0 &&
	    pwrite_all(fd, s, len, (off_t)slot * SLOT_SIZE) &&
	    fdatasync(fd) == 0)
		rc = MW_OK;
	close_slot(fd, slot);
	return rc;
}

enum mw_err
journal_remove(const char *dir, const char *name)
{
	static const unsigned char zero[HDR];
	unsigned char s[SLOT_SIZE];
	char rname[SPOOL_NAME_MAX];
	enum mw_err rc = MW_OK;
	unsigned slot;
	int fd;

	fd = open_slot(dir, name, true, &slot, s, NULL, 0);
	if (fd < 0)
		return MW_EINTERNAL;
	/* Not synced: see the top of this file. */
	if (decode_slot(s, slot, rname, NULL, NULL, 0) == 0 &&
	    strcmp(rname, name) == 0 &&
	    !pwrite_all(fd, zero, sizeof(zero), (off_t)slot * SLOT_SIZE))
		rc = MW_EINTERNAL;
	close_slot(fd, slot);
	return rc;
}

enum mw_err
journal_bury(const char *dir, const char *name, const char *reason)
{
	static const unsigned char zero[HDR];
	unsigned char s[SLOT_SIZE];
	char rname[SPOOL_NAME_MAX], stem[SPOOL_NAME_MAX];
	char dname[SPOOL_NAME_MAX + 16];
	const unsigned char *bytes = s;
	size_t len = SLOT_SIZE;
	enum mw_err rc;
	unsigned slot;
	int fd, st;

	fd = open_slot(dir, name, true, &slot, s, NULL, 0);
	if (fd < 0)
		return MW_EINTERNAL;
	st = decode_slot(s, slot, rname, NULL, NULL, 0);
	if (st == 1 || (st == 0 && strcmp(rname, name) != 0)) {
		close_slot(fd, slot); /* gone meanwhile */
		return MW_OK;
	}
	if (st == 0) {
		/* A readable record: its job file, which --requeue takes. */
		bytes = s + JOB_OFF;
		len = get_u32(s + 4) - SPOOL_NAME_MAX;
		snprintf(stem, sizeof(stem), "%.*s",
			 (int)(strrchr(name, '.') - name), name);
	} else {
		/* The slot's bytes as they are, for whoever looks. */
		new_stem(stem);
	}
	snprintf(dname, sizeof(dname), "%s%s.job", stem,
		 st == 0 ? "" : "-slot");
	rc = dead_reason(dir, dname, reason);
	if (rc == MW_OK)
		rc = write_tmp(dir, dname, (const char *)bytes, len);
	if (rc == MW_OK)
		rc = move(dir, "tmp", "dead", dname);
	if (rc == MW_OK)
		rc = sync_dir(dir, "dead");
	/* The dead letter is durable; now the slot is free. */
	if (rc == MW_OK &&
	    (!pwrite_all(fd, zero, sizeof(zero), (off_t)slot * SLOT_SIZE) ||
	     fdatasync(fd) != 0))
		rc = MW_EINTERNAL;
	close_slot(fd, slot);
	return rc;
}

enum mw_err
spool_journal_state(const char *dir, size_t *taken, char *why, size_t whysz)
{
	const unsigned char *m;
	bool missing;

	*taken = 0;
	m = map_journal(dir, spool_owner(dir), &missing, why, whysz);
	if (m == NULL)
		return missing ? MW_EINTERNAL : MW_EINPUT;
	*taken = taken_slots(m);
	munmap((void *)m, (size_t)JOURNAL_SIZE);
	return MW_OK;
}
