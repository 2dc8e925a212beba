<?php
define('DB_NAME', 'wp');
if (file_exists(__DIR__ . '/wp-config-local.php')) {
	include __DIR__ . '/wp-config-local.php';
}
require_once __DIR__ . '/wp-config-db.php';
define('DB_USER', 'u');
require_once(ABSPATH . 'wp-settings.php');
define('DB_PASSWORD', 'late');
