<?php
defined('DB_NAME') || define('DB_NAME', 'wp');
! defined( 'DB_USER' ) && \define( 'DB_USER', 'u' );
if ( ! defined( 'DB_PASSWORD' ) ) {
	define( 'DB_PASSWORD', 'pw' );
}
if (!defined('DB_HOST')):
	define('DB_HOST', '127.0.0.1:3306');
else:
	define('DB_HOST', 'other');
endif;
if (!isset($table_prefix)) $table_prefix = 'wp_';
