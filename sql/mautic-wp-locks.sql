-- SPDX-License-Identifier: GPL-2.0-or-later
-- The lock rows of mautic-wp: one row per Mautic contact ("c:<id>") and per
-- e-mail address ("e:<address>") that an add webhook has handled.  An add
-- inserts or changes its rows first thing in its transaction, so that two
-- webhooks for the same contact or address wait for each other on one
-- server and conflict in certification on a Galera cluster (one commits,
-- the other is rolled back and run again).  The program creates the table
-- itself when it is missing (the database user then needs CREATE); load
-- this file once instead where it has no CREATE privilege, with the
-- site's table prefix in place of wp_.  Rows may be deleted at any time.
CREATE TABLE IF NOT EXISTS `wp_mautic_wp_locks` (
  `lock_key` varchar(191) NOT NULL,
  `taken` bigint(20) unsigned NOT NULL DEFAULT 0,
  PRIMARY KEY (`lock_key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
