<html><?= 'x' ?>
define('DB_NAME', 'html');
<?php define('DB_USER', 'u') ?>
text <?php
$table_prefix = 'p_';
