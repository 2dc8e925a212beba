<?php
switch ($_SERVER['HTTP_HOST'] ?? '') {
case 'dev.example.com':
	define('DB_NAME', 'dev');
	break;
default:
	define('DB_NAME', 'prod');
}
if (getenv('WP_ENV') === 'staging') { $table_prefix = 'stg_'; } else { $table_prefix = 'wp_'; }
define('DB_' . 'USER', 'x');
foreach (['DB_PASSWORD' => 'p'] as $k => $v) define($k, $v);
