<?php
const DB_NAME = 'wp', DB_USER = 'u';
class C { const DB_PASSWORD = 'no'; }
