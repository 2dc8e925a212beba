<?php
define("DB_NAME", "wp");
define('DB_USER', 'it\'s');
define("DB_PASSWORD", "a\"b\\c\$d\n\t");
define('DB_HOST', "bad$var");
$table_prefix  = "wp_";
