-- SPDX-License-Identifier: GPL-2.0-or-later
-- Rows of a freshly installed WordPress 6.1.9 single site (table prefix wp_)
-- that mautic-wp reads or writes: core options and the installer's admin user.
-- Load after sql/wp-schema.sql:
--   mariadb --no-defaults ... wordpress < sql/wp-fresh-site.sql
--
-- Options follow populate_options()/populate_roles()/wp_install() order;
-- only a subset of populate_options() is included, enough for the real
-- WordPress of tests/stack/wordpress-up.sh to run this as an installed,
-- up-to-date site (siteurl: installed; db_version 53496: no upgrade.php).
-- admin_email_lifespan is time() + 6 months in a real install; here it is
-- fixed far ahead (2100-01-01 UTC), otherwise wp-login.php sends every
-- administrator's login to action=confirm_admin_email instead of /wp-admin/.
-- wp_user_roles is the unmodified populate_roles() value: 3133 bytes,
-- md5 78e6f7b9f7da7cb5d3832cf2343db762 (see docs/wordpress.md, roles).
--
-- User 1 "admin", password "adminpass": phpass portable hash with the fixed
-- salt "mwAdmin0" (8192 rounds, as WP 6.1 wp_hash_password() makes it).
-- Usermeta: the 13 wp_insert_user() rows in their order, with set_role()
-- having turned them into administrator / level 10, then
-- dismissed_wp_pointers (admin context, user_register hook) and
-- show_welcome_panel (wp_install_defaults()).  user_count is written by the
-- user_register hook with autoload 'no'.
--
-- Names that carry the table prefix are written as `wp_...` (tables) and
-- 'wp_user_roles' / 'wp_capabilities' / 'wp_user_level' (values) so that
-- tests/stack/db-reset.sh can rewrite the prefix.

INSERT INTO `wp_options` (option_name, option_value, autoload) VALUES
	('siteurl', 'http://127.0.0.1:18083', 'yes'),
	('home', 'http://127.0.0.1:18083', 'yes'),
	('blogname', 'Test Site', 'yes'),
	('blogdescription', '', 'yes'),
	('users_can_register', '0', 'yes'),
	('admin_email', 'admin@example.test', 'yes'),
	('start_of_week', '1', 'yes'),
	('posts_per_page', '10', 'yes'),
	('date_format', 'F j, Y', 'yes'),
	('time_format', 'g:i a', 'yes'),
	('permalink_structure', '', 'yes'),
	('blog_charset', 'UTF-8', 'yes'),
	('active_plugins', 'a:0:{}', 'yes'),
	('gmt_offset', '0', 'yes'),
	('template', 'twentytwentythree', 'yes'),
	('stylesheet', 'twentytwentythree', 'yes'),
	('default_role', 'subscriber', 'yes'),
	('db_version', '53496', 'yes'),
	('blog_public', '1', 'yes'),
	('uninstall_plugins', 'a:0:{}', 'no'),
	('timezone_string', '', 'yes'),
	('admin_email_lifespan', '4102444800', 'yes'),
	('initial_db_version', '53496', 'yes'),
	('wp_user_roles', 'a:5:{s:13:"administrator";a:2:{s:4:"name";s:13:"Administrator";s:12:"capabilities";a:61:{s:13:"switch_themes";b:1;s:11:"edit_themes";b:1;s:16:"activate_plugins";b:1;s:12:"edit_plugins";b:1;s:10:"edit_users";b:1;s:10:"edit_files";b:1;s:14:"manage_options";b:1;s:17:"moderate_comments";b:1;s:17:"manage_categories";b:1;s:12:"manage_links";b:1;s:12:"upload_files";b:1;s:6:"import";b:1;s:15:"unfiltered_html";b:1;s:10:"edit_posts";b:1;s:17:"edit_others_posts";b:1;s:20:"edit_published_posts";b:1;s:13:"publish_posts";b:1;s:10:"edit_pages";b:1;s:4:"read";b:1;s:8:"level_10";b:1;s:7:"level_9";b:1;s:7:"level_8";b:1;s:7:"level_7";b:1;s:7:"level_6";b:1;s:7:"level_5";b:1;s:7:"level_4";b:1;s:7:"level_3";b:1;s:7:"level_2";b:1;s:7:"level_1";b:1;s:7:"level_0";b:1;s:17:"edit_others_pages";b:1;s:20:"edit_published_pages";b:1;s:13:"publish_pages";b:1;s:12:"delete_pages";b:1;s:19:"delete_others_pages";b:1;s:22:"delete_published_pages";b:1;s:12:"delete_posts";b:1;s:19:"delete_others_posts";b:1;s:22:"delete_published_posts";b:1;s:20:"delete_private_posts";b:1;s:18:"edit_private_posts";b:1;s:18:"read_private_posts";b:1;s:20:"delete_private_pages";b:1;s:18:"edit_private_pages";b:1;s:18:"read_private_pages";b:1;s:12:"delete_users";b:1;s:12:"create_users";b:1;s:17:"unfiltered_upload";b:1;s:14:"edit_dashboard";b:1;s:14:"update_plugins";b:1;s:14:"delete_plugins";b:1;s:15:"install_plugins";b:1;s:13:"update_themes";b:1;s:14:"install_themes";b:1;s:11:"update_core";b:1;s:10:"list_users";b:1;s:12:"remove_users";b:1;s:13:"promote_users";b:1;s:18:"edit_theme_options";b:1;s:13:"delete_themes";b:1;s:6:"export";b:1;}}s:6:"editor";a:2:{s:4:"name";s:6:"Editor";s:12:"capabilities";a:34:{s:17:"moderate_comments";b:1;s:17:"manage_categories";b:1;s:12:"manage_links";b:1;s:12:"upload_files";b:1;s:15:"unfiltered_html";b:1;s:10:"edit_posts";b:1;s:17:"edit_others_posts";b:1;s:20:"edit_published_posts";b:1;s:13:"publish_posts";b:1;s:10:"edit_pages";b:1;s:4:"read";b:1;s:7:"level_7";b:1;s:7:"level_6";b:1;s:7:"level_5";b:1;s:7:"level_4";b:1;s:7:"level_3";b:1;s:7:"level_2";b:1;s:7:"level_1";b:1;s:7:"level_0";b:1;s:17:"edit_others_pages";b:1;s:20:"edit_published_pages";b:1;s:13:"publish_pages";b:1;s:12:"delete_pages";b:1;s:19:"delete_others_pages";b:1;s:22:"delete_published_pages";b:1;s:12:"delete_posts";b:1;s:19:"delete_others_posts";b:1;s:22:"delete_published_posts";b:1;s:20:"delete_private_posts";b:1;s:18:"edit_private_posts";b:1;s:18:"read_private_posts";b:1;s:20:"delete_private_pages";b:1;s:18:"edit_private_pages";b:1;s:18:"read_private_pages";b:1;}}s:6:"author";a:2:{s:4:"name";s:6:"Author";s:12:"capabilities";a:10:{s:12:"upload_files";b:1;s:10:"edit_posts";b:1;s:20:"edit_published_posts";b:1;s:13:"publish_posts";b:1;s:4:"read";b:1;s:7:"level_2";b:1;s:7:"level_1";b:1;s:7:"level_0";b:1;s:12:"delete_posts";b:1;s:22:"delete_published_posts";b:1;}}s:11:"contributor";a:2:{s:4:"name";s:11:"Contributor";s:12:"capabilities";a:5:{s:10:"edit_posts";b:1;s:4:"read";b:1;s:7:"level_1";b:1;s:7:"level_0";b:1;s:12:"delete_posts";b:1;}}s:10:"subscriber";a:2:{s:4:"name";s:10:"Subscriber";s:12:"capabilities";a:2:{s:4:"read";b:1;s:7:"level_0";b:1;}}}', 'yes'),
	('fresh_site', '1', 'yes'),
	('user_count', '1', 'no');

INSERT INTO `wp_users` (ID, user_login, user_pass, user_nicename, user_email,
	user_url, user_registered, user_activation_key, user_status, display_name) VALUES
	(1, 'admin', '$P$BmwAdmin0qEETNUTPKhKn6Lyq1Sioz1', 'admin', 'admin@example.test',
	'http://127.0.0.1:18083', '2024-01-01 00:00:00', '', 0, 'admin');

INSERT INTO `wp_usermeta` (umeta_id, user_id, meta_key, meta_value) VALUES
	(1, 1, 'nickname', 'admin'),
	(2, 1, 'first_name', ''),
	(3, 1, 'last_name', ''),
	(4, 1, 'description', ''),
	(5, 1, 'rich_editing', 'true'),
	(6, 1, 'syntax_highlighting', 'true'),
	(7, 1, 'comment_shortcuts', 'false'),
	(8, 1, 'admin_color', 'fresh'),
	(9, 1, 'use_ssl', '0'),
	(10, 1, 'show_admin_bar_front', 'true'),
	(11, 1, 'locale', ''),
	(12, 1, 'wp_capabilities', 'a:1:{s:13:"administrator";b:1;}'),
	(13, 1, 'wp_user_level', '10'),
	(14, 1, 'dismissed_wp_pointers', ''),
	(15, 1, 'show_welcome_panel', '1');
