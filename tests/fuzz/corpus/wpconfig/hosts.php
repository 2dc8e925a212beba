<?php
define('DB_HOST', '[::1]:3306');
define('DB_HOST', 'localhost:/run/mysqld/mysqld.sock');
define('DB_HOST', ':/tmp/mysql.sock');
define('DB_HOST', 'db:3306:/s');
