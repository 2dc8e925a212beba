<?php
$a = ['k' => 'define(\'DB_NAME\', \'x\')'];
$b = "{$a["k"]} ${c} $a[k] `x`";
$c = <<<EOT
  define('DB_USER', 'y'); {$a['k']}
  EOT;
$d = <<<'NOW'
define('DB_PASSWORD', 'z'); {$
NOW;
$e = `echo define`;
define('DB_HOST', 'db.example.com:3307');
