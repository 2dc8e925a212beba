<?php
// define('DB_NAME', 'a');
# define('DB_USER', 'b');
/* define('DB_PASSWORD', 'c');
   define('DB_HOST', 'd'); */
#[Foo]
function f() { return 1; }
define('DB_NAME', 'real'); // trailing ?> define('DB_USER', 'html');
<?php $table_prefix = 'wp_'; /** doc */
