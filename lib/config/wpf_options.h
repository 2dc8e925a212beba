/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wpfopts.h - taking settings from WP Fusion's own wpf_options row, so that
 * a WP Fusion site switches by changing only its webhook URLs.
 */
#ifndef MW_WPFOPTS_H
#define MW_WPFOPTS_H

#include <stddef.h>

#include "config/config.h"
#include "base/err.h"

/* Apply the serialized wpf_options value to cfg wherever the file did not
 * set the key: access_key, mautic_url, mautic_username/mautic_password,
 * the active contact_fields (per WordPress key; the file's [fields] rows
 * win), username_format, return_password + return_password_field and
 * send_welcome_email; the fields' types and the pseudo fields; and
 * where data goes (cfg->wpf): staging (WPF_STAGING_MODE, the duplicate-
 * site lock compared with siteurl, the site's siteurl option or NULL, or
 * staging_mode) and multisite_prefix_keys.  Then runs cfg_complete().
 * MW_ECONFIG with the reason in err (never a value). */
enum mw_err wpfopts_apply(struct cfg *cfg, const char *ser, size_t len,
			  const char *siteurl, char *err,
			  size_t errsz) MW_MUST_CHECK;

#endif
