-- SPDX-License-Identifier: GPL-2.0-or-later
-- The tables of mautic-wp's outbox, table prefix `wp_` (a multisite blog N
-- uses `wp_N_`).  Both are created when missing: the events table by
-- mautic-wp.cgi (CREATE privilege on the database), the pings table by the
-- mu-plugin wordpress/mautic-wp.php.  lib/wp/outbox.c and the mu-plugin
-- carry the same statements; keep the three in step.
--
-- {prefix}mautic_wp_events: one row per user a webhook changed (or whose
-- tags it loaded), written in the webhook's own transaction and deleted
-- once the mu-plugin has fired WordPress's and WP Fusion's hooks for it.
--   payload      JSON: created, fields (keys), role (before/after), tags
--                (applied, removed, list), notify, old (replaced columns)
--   created      UNIX time of the commit's transaction
--   tries        deliveries started; parked after a few failed ones
--   next_try     UNIX time before which no drain takes it again
--   lease        the drain that holds it, until lease_until (UNIX time)
--   parked       1: given up after failures; shown by --check, not retried
--   error        the last failure, for --check and the activity log

CREATE TABLE IF NOT EXISTS `wp_mautic_wp_events` (
	id bigint(20) unsigned NOT NULL auto_increment,
	user_id bigint(20) unsigned NOT NULL,
	contact_id bigint(20) unsigned NOT NULL default '0',
	request_id varchar(32) NOT NULL default '',
	created bigint(20) unsigned NOT NULL default '0',
	payload longtext NOT NULL,
	tries smallint(5) unsigned NOT NULL default '0',
	next_try bigint(20) unsigned NOT NULL default '0',
	lease varchar(32) NOT NULL default '',
	lease_until bigint(20) unsigned NOT NULL default '0',
	parked tinyint(1) unsigned NOT NULL default '0',
	error varchar(255) NOT NULL default '',
	PRIMARY KEY  (id),
	KEY user_pending (user_id, parked, id),
	KEY pending (parked, id)
) ENGINE=InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;

-- {prefix}mautic_wp_pings: the nonces of accepted drain pings, so that a
-- recorded ping cannot be replayed; rows older than the accepted clock
-- skew are deleted by the mu-plugin.
CREATE TABLE IF NOT EXISTS `wp_mautic_wp_pings` (
	nonce char(32) NOT NULL,
	at bigint(20) unsigned NOT NULL,
	PRIMARY KEY  (nonce),
	KEY at (at)
) ENGINE=InnoDB DEFAULT CHARACTER SET ascii COLLATE ascii_bin;
