/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_config.c - cfg_load() on arbitrary file contents.  The input is
 * written to one private temp file (0600) that is rewritten for every run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static int fd = -1;

static void
remove_file(void)
{
	if (fd >= 0)
		unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg cfg;
	char err[CFG_ERRMSG_MAX];
	enum mw_err rc;

	if (fd < 0) {
		snprintf(path, sizeof(path), "/tmp/mw-fuzz-config-XXXXXX");
		fd = mkstemp(path);
		if (fd < 0 || fchmod(fd, 0600) != 0)
			abort();
		atexit(remove_file);
	}
	if (ftruncate(fd, 0) != 0 ||
	    (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	rc = cfg_load(path, &cfg, err, sizeof(err));
	if (rc != MW_OK && rc != MW_ECONFIG)
		abort();
	if (rc == MW_ECONFIG && strncmp(err, path, strlen(path)) != 0)
		abort(); /* every refusal names the file */
	if (rc == MW_OK &&
	    (cfg.db_name == NULL || cfg.mautic_url == NULL ||
	     cfg.access_key == NULL || cfg.table_prefix == NULL ||
	     cfg_field_alias(&cfg, "\x01") != NULL))
		abort();
	cfg_free(&cfg);
	return 0;
}
