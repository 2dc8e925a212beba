<?php
# Created by /usr/share/doc/wordpress/examples/setup-mysql -n wp example.com
define('DB_NAME', 'wp');
define('DB_USER', 'wp');
define('DB_PASSWORD', 'Zq8kLm');
define('DB_HOST', 'localhost');
define('SECRET_KEY', 'abc');
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
define('FS_METHOD', 'direct');
?>
