<?php
namespace Foo;

const DB_NAME = 'ns';
define('DB_USER', 'u');
