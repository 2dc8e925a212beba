<?php
// SPDX-License-Identifier: GPL-2.0-or-later

/**
 * Plugin Name: mautic-wp
 * Description: Fires WordPress's and WP Fusion's hooks for the changes mautic-wp.cgi writes (drains its outbox).
 * Version: 0.1.0
 * License: GPL-2.0-or-later
 *
 * Install as wp-content/mu-plugins/mautic-wp.php (copy or symlink).
 *
 * mautic-wp.cgi writes users, roles and tags straight into the database and
 * records one row per changed user in {prefix}mautic_wp_events, in the same
 * transaction.  This file drains that outbox: for each row, in id order, it
 * fires what WP Fusion's own webhook import would fire (user_register,
 * profile_update, set_user_role, wpf_tags_applied, wpf_tags_removed,
 * wpf_tags_modified, wpf_user_imported, wpf_user_updated), with no current
 * user and WP Fusion's push-back to the CRM switched off, and drops the
 * user from the object cache.
 *
 * The drain runs on a signed ping (POST wp-cron.php?mautic-wp-drain=1 with
 * X-Mautic-WP-Time, X-Mautic-WP-Nonce and X-Mautic-WP-Signature = hex
 * HMAC-SHA256(time "." nonce) under the key in the option
 * mautic_wp_drain_key), and every minute through WP-Cron.  Anything else
 * carrying mautic-wp-drain gets 403 and nothing is done.
 */

defined( 'ABSPATH' ) || exit;

final class Mautic_WP_Drain {

	const KEY_OPTION = 'mautic_wp_drain_key';
	const SKEW       = 300;  // seconds a ping's time may differ from ours
	const LEASE      = 120;  // seconds a drain holds an event
	const MAX_TRIES  = 5;    // failed deliveries before an event is parked
	const BUDGET     = 20;   // seconds one drain runs at most
	const HEADS      = 100;  // users taken per round
	const SHORT_WAIT = 10;   // seconds a drain waits for a retry coming due

	/** @var object|null The event being delivered (for the shutdown check). */
	private static $current = null;

	/** @var string This drain's lease token. */
	private static $token = '';

	/** @var bool The context is set (no user, WP Fusion push-back off). */
	private static $entered = false;

	public static function boot() {
		add_filter( 'cron_schedules', array( __CLASS__, 'schedules' ) );
		add_action( 'mautic_wp_drain', array( __CLASS__, 'cron' ) );
		add_action( 'init', array( __CLASS__, 'schedule' ), 20 );
		if ( isset( $_GET['mautic-wp-drain'] ) ) {
			// Checked as soon as the mu-plugins are loaded: a refused
			// ping costs no plugin and fires nothing.
			add_action( 'muplugins_loaded', array( __CLASS__, 'endpoint' ), 0 );
		}
	}

	public static function schedules( $s ) {
		$s['mautic_wp_minute'] = array(
			'interval' => 60,
			'display'  => 'Every minute (mautic-wp)',
		);
		return $s;
	}

	public static function schedule() {
		if ( ! wp_next_scheduled( 'mautic_wp_drain' ) ) {
			wp_schedule_event( time() + 60, 'mautic_wp_minute', 'mautic_wp_drain' );
		}
	}

	public static function cron() {
		self::drain( self::BUDGET );
	}

	/* ---- the key and the signed ping ---------------------------------- */

	/** The shared key (made here when the program has not made it yet). */
	public static function key() {
		global $wpdb;
		$sql = $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", self::KEY_OPTION );
		$key = $wpdb->get_var( $sql );
		if ( null === $key ) {
			$wpdb->query(
				$wpdb->prepare(
					"INSERT IGNORE INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, %s, 'no')",
					self::KEY_OPTION,
					bin2hex( random_bytes( 32 ) )
				)
			);
			$key = $wpdb->get_var( $sql );
		}
		return is_string( $key ) && preg_match( '/^[0-9a-f]{64}$/D', $key ) ? $key : null;
	}

	/** Headers of a signed ping (also used to ping ourselves). */
	public static function sign( $key ) {
		$t = (string) time();
		$n = bin2hex( random_bytes( 16 ) );
		return array(
			'X-Mautic-WP-Time'      => $t,
			'X-Mautic-WP-Nonce'     => $n,
			'X-Mautic-WP-Signature' => hash_hmac( 'sha256', $t . '.' . $n, $key ),
		);
	}

	private static function refuse() {
		status_header( 403 );
		nocache_headers();
		header( 'Content-Type: text/plain; charset=utf-8' );
		echo "Forbidden\n";
		exit;
	}

	/** True when the request carries a valid, fresh, first-seen signature. */
	private static function verified() {
		global $wpdb;
		$t = isset( $_SERVER['HTTP_X_MAUTIC_WP_TIME'] ) ? (string) $_SERVER['HTTP_X_MAUTIC_WP_TIME'] : '';
		$n = isset( $_SERVER['HTTP_X_MAUTIC_WP_NONCE'] ) ? (string) $_SERVER['HTTP_X_MAUTIC_WP_NONCE'] : '';
		$s = isset( $_SERVER['HTTP_X_MAUTIC_WP_SIGNATURE'] ) ? (string) $_SERVER['HTTP_X_MAUTIC_WP_SIGNATURE'] : '';
		if ( 'POST' !== ( $_SERVER['REQUEST_METHOD'] ?? '' ) ||
			! preg_match( '/^[0-9]{1,12}$/D', $t ) ||
			! preg_match( '/^[0-9a-f]{32}$/D', $n ) ||
			! preg_match( '/^[0-9a-f]{64}$/D', $s ) ) {
			return false;
		}
		$key = self::key();
		if ( null === $key || ! hash_equals( hash_hmac( 'sha256', $t . '.' . $n, $key ), $s ) ) {
			return false;
		}
		$now = time();
		if ( abs( $now - (int) $t ) > self::SKEW ) {
			return false;
		}
		// A nonce is accepted once: the primary key says whether it was.
		$pings = $wpdb->prefix . 'mautic_wp_pings';
		$ins   = $wpdb->prepare( "INSERT IGNORE INTO {$pings} (nonce, at) VALUES (%s, %d)", $n, $now );
		$quiet = $wpdb->suppress_errors( true );
		$added = $wpdb->query( $ins );
		if ( false === $added ) {
			$wpdb->query(
				"CREATE TABLE IF NOT EXISTS {$pings} (nonce char(32) NOT NULL, at bigint(20) unsigned NOT NULL, " .
				'PRIMARY KEY (nonce), KEY at (at)) ENGINE=InnoDB DEFAULT CHARACTER SET ascii COLLATE ascii_bin'
			);
			$added = $wpdb->query( $ins );
		}
		$wpdb->suppress_errors( $quiet );
		if ( 1 !== $added ) {
			return false;
		}
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$pings} WHERE at < %d", $now - 2 * self::SKEW ) );
		return true;
	}

	public static function endpoint() {
		if ( ! self::verified() ) {
			self::refuse();
		}
		// Answer at once (the program never waits for it), then drain once
		// WordPress and the plugins are loaded.
		ignore_user_abort( true );
		status_header( 202 );
		nocache_headers();
		header( 'Content-Type: text/plain; charset=utf-8' );
		header( 'Content-Length: 0' );
		header( 'Connection: close' );
		while ( ob_get_level() > 0 ) {
			ob_end_flush();
		}
		flush();
		if ( function_exists( 'fastcgi_finish_request' ) ) {
			fastcgi_finish_request();
		}
		add_action( 'wp_loaded', array( __CLASS__, 'drain_and_exit' ), PHP_INT_MAX );
	}

	public static function drain_and_exit() {
		self::drain( self::BUDGET );
		exit;
	}

	/* ---- the drain ------------------------------------------------------ */

	private static function table() {
		global $wpdb;
		return $wpdb->prefix . 'mautic_wp_events';
	}

	/** WP Fusion's webhook context: no user, nothing pushed back. */
	private static function enter() {
		if ( self::$entered ) {
			return;
		}
		self::$entered = true;
		wp_set_current_user( 0 );
		if ( ! defined( 'WPF_DOING_WEBHOOK' ) ) {
			define( 'WPF_DOING_WEBHOOK', true );
		}
		if ( ! defined( 'DOING_WPF_WEBHOOK' ) ) {
			define( 'DOING_WPF_WEBHOOK', true );
		}
		if ( function_exists( 'wp_fusion' ) && is_object( wp_fusion() ) && isset( wp_fusion()->user ) ) {
			$u = wp_fusion()->user;
			remove_action( 'user_register', array( $u, 'user_register' ), 20 );
			remove_action( 'profile_update', array( $u, 'profile_update' ), 10 );
			remove_action( 'updated_user_meta', array( $u, 'push_user_meta_single' ), 10 );
			remove_action( 'added_user_meta', array( $u, 'push_user_meta_single' ), 10 );
			remove_action( 'password_reset', array( $u, 'password_reset' ), 10 );
			foreach ( array( 'set_user_role', 'add_user_role', 'remove_user_role' ) as $h ) {
				remove_action( $h, array( $u, 'add_remove_user_role' ), 10 );
				remove_action( $h, array( $u, 'update_user_role' ), 10 );
			}
		}
		register_shutdown_function( array( __CLASS__, 'shutdown' ) );
	}

	/**
	 * Deliver pending events, each user's in id order, until none is left
	 * or the budget is spent.  Another drain never gets an event this one
	 * holds: taking one is a conditional UPDATE of its row.
	 */
	public static function drain( $budget ) {
		global $wpdb;
		$t     = self::table();
		$until = microtime( true ) + $budget;
		$quiet = $wpdb->suppress_errors( true );
		$found = $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $t ) ) );
		$wpdb->suppress_errors( $quiet );
		if ( $found !== $t ) {
			return 0;
		}
		self::enter();
		self::$token = bin2hex( random_bytes( 16 ) );
		$done        = 0;
		$skip        = array(); // users held elsewhere, backing off or failed
		do {
			$progress = false;
			$heads    = $wpdb->get_results(
				$wpdb->prepare(
					"SELECT user_id, MIN(id) AS id FROM {$t} WHERE parked = 0 GROUP BY user_id ORDER BY id LIMIT %d",
					self::HEADS
				)
			);
			foreach ( (array) $heads as $h ) {
				if ( microtime( true ) > $until ) {
					break 2;
				}
				if ( isset( $skip[ $h->user_id ] ) ) {
					continue;
				}
				$now   = time();
				$taken = $wpdb->query(
					$wpdb->prepare(
						"UPDATE {$t} SET lease = %s, lease_until = %d, tries = tries + 1 WHERE id = %d AND parked = 0 AND lease_until < %d AND next_try <= %d",
						self::$token,
						$now + self::LEASE,
						$h->id,
						$now,
						$now
					)
				);
				if ( 1 !== $taken ) {
					$skip[ $h->user_id ] = true;
					continue;
				}
				$ev = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$t} WHERE id = %d", $h->id ) );
				if ( ! $ev ) {
					continue;
				}
				if ( self::deliver( $ev ) ) {
					$wpdb->query( $wpdb->prepare( "DELETE FROM {$t} WHERE id = %d AND lease = %s", $ev->id, self::$token ) );
					++$done;
					$progress = true;
				} else {
					$skip[ $h->user_id ] = true;
				}
			}
			if ( ! $progress ) {
				// A retry due in a few seconds is waited for here rather
				// than left to the next ping or WP-Cron.
				$next = (int) $wpdb->get_var( "SELECT MIN(next_try) FROM {$t} WHERE parked = 0" );
				$wait = $next - time();
				if ( $next > 0 && $wait > 0 && $wait <= self::SHORT_WAIT && microtime( true ) + $wait < $until ) {
					sleep( $wait );
					$skip     = array();
					$progress = true;
				}
			}
		} while ( $progress );
		if ( microtime( true ) > $until ) {
			self::ping_self(); // more to do: another request goes on
		}
		return $done;
	}

	/** One event's hooks; false (and the event backed off or parked) on failure. */
	private static function deliver( $ev ) {
		self::$current = $ev;
		try {
			self::fire( $ev );
			self::$current = null;
			return true;
		} catch ( \Throwable $e ) {
			self::$current = null;
			self::failed( $ev, get_class( $e ) . ': ' . $e->getMessage() );
			return false;
		}
	}

	/** The request died inside a listener (exit, fatal error, time limit). */
	public static function shutdown() {
		$ev = self::$current;
		if ( null === $ev ) {
			return;
		}
		self::$current = null;
		$err  = error_get_last();
		$wait = self::failed( $ev, 'the request ended inside a listener' . ( $err ? ': ' . $err['message'] : '' ) );
		// This request is over: another one goes on with the others (and
		// with this event once its retry is due, when that is soon).
		if ( $wait > 0 && $wait <= self::SHORT_WAIT ) {
			sleep( $wait );
		}
		self::ping_self();
	}

	/** Back the event off (or park it); the seconds until its retry. */
	private static function failed( $ev, $why ) {
		global $wpdb;
		$t     = self::table();
		$tries = (int) $ev->tries + 1; // the claim counted one more
		$row   = $wpdb->get_row( $wpdb->prepare( "SELECT tries FROM {$t} WHERE id = %d", $ev->id ) );
		if ( $row ) {
			$tries = (int) $row->tries;
		}
		$max  = (int) apply_filters( 'mautic_wp_max_tries', self::MAX_TRIES );
		$park = $tries >= $max;
		$wait = (int) apply_filters( 'mautic_wp_retry_delay', min( 3600, 30 * ( 1 << min( 10, $tries - 1 ) ) ), $tries );
		$why  = function_exists( 'mb_strcut' ) ? mb_strcut( $why, 0, 250, 'UTF-8' ) : substr( $why, 0, 250 );
		$wpdb->query(
			$wpdb->prepare(
				"UPDATE {$t} SET lease = '', lease_until = 0, parked = %d, next_try = %d, error = %s WHERE id = %d",
				$park ? 1 : 0,
				time() + max( 0, $wait ),
				$why,
				$ev->id
			)
		);
		if ( $park ) {
			self::log_parked( $ev, $tries, $why );
			return 0;
		}
		return max( 0, $wait );
	}

	/** A parked event in WP Fusion's activity log, when the site has it. */
	private static function log_parked( $ev, $tries, $why ) {
		global $wpdb;
		$msg = sprintf(
			'mautic-wp: the hooks for user #%d (contact #%d, request %s) failed %d times and were given up: %s',
			$ev->user_id,
			$ev->contact_id,
			$ev->request_id,
			$tries,
			$why
		);
		$log   = $wpdb->prefix . 'wpf_logging';
		$quiet = $wpdb->suppress_errors( true );
		$wpdb->insert(
			$log,
			array(
				'timestamp' => current_time( 'mysql', true ),
				'level'     => 500,
				'user'      => (int) $ev->user_id,
				'source'    => 'mautic-wp',
				'message'   => esc_html( $msg ),
				'context'   => serialize( array( 'event' => (int) $ev->id, 'request_id' => $ev->request_id ) ),
			)
		);
		$wpdb->suppress_errors( $quiet );
		error_log( $msg );
	}

	/** Wake another drain (after a death, or with work left over). */
	private static function ping_self() {
		$key = self::key();
		if ( null === $key ) {
			return;
		}
		wp_remote_post(
			site_url( 'wp-cron.php?mautic-wp-drain=1' ),
			array(
				'blocking'  => false,
				'timeout'   => 0.01,
				'headers'   => self::sign( $key ),
				'sslverify' => apply_filters( 'https_local_ssl_verify', false ),
			)
		);
	}

	/** Drop every cached copy of the user (any object-cache backend). */
	private static function uncache( $uid, $p ) {
		clean_user_cache( $uid );
		wp_cache_delete( $uid, 'user_meta' );
		if ( ! empty( $p['old']['user_email'] ) && is_string( $p['old']['user_email'] ) ) {
			wp_cache_delete( $p['old']['user_email'], 'useremail' );
		}
		if ( ! empty( $p['old']['user_nicename'] ) && is_string( $p['old']['user_nicename'] ) ) {
			wp_cache_delete( $p['old']['user_nicename'], 'userslugs' );
		}
	}

	private static function strings( $a ) {
		return array_values( array_filter( is_array( $a ) ? $a : array(), 'is_string' ) );
	}

	/** The fields as WordPress now has them (what WP Fusion calls $user_meta). */
	private static function user_meta( $user, $keys ) {
		$out = array();
		foreach ( $keys as $k ) {
			if ( 'user_pass' === $k ) {
				continue;
			}
			if ( in_array( $k, array( 'user_login', 'user_email', 'user_url', 'user_nicename', 'display_name' ), true ) ) {
				$out[ $k ] = $user->$k;
			} else {
				$out[ $k ] = get_user_meta( $user->ID, $k, true );
			}
		}
		return $out;
	}

	/** What WP Fusion's import fires for one event, in its order. */
	private static function fire( $ev ) {
		$p = json_decode( (string) $ev->payload, true );
		if ( ! is_array( $p ) ) {
			throw new \UnexpectedValueException( 'unreadable event payload' );
		}
		$uid = (int) $ev->user_id;
		self::uncache( $uid, $p );
		$user = get_userdata( $uid );
		if ( ! $user ) {
			return; // deleted since: nothing to tell anyone
		}
		$fields  = self::strings( $p['fields'] ?? array() );
		$created = ! empty( $p['created'] );
		$role    = is_array( $p['role'] ?? null ) ? $p['role'] : null;
		$meta    = self::user_meta( $user, $fields );
		if ( $role && is_string( $role['after'] ?? null ) ) {
			$meta['role'] = $role['after'];
		}
		// Fields another plugin owns (BuddyPress xprofile, ...) were not
		// written by the program: WP Fusion sets them, so that the
		// plugin's own filters store them where it reads them.  Without
		// WP Fusion nobody knows how, and they are left alone.
		$plugin = array();
		foreach ( (array) ( $p['wpf_meta'] ?? array() ) as $k => $v ) {
			if ( is_string( $k ) && is_string( $v ) ) {
				$plugin[ $k ] = $v;
			}
		}
		if ( $plugin && function_exists( 'wp_fusion' ) && isset( wp_fusion()->user ) &&
			is_callable( array( wp_fusion()->user, 'set_user_meta' ) ) ) {
			wp_fusion()->user->set_user_meta( $uid, $plugin );
			$meta = array_merge( $meta, $plugin );
		} else {
			$plugin = array();
		}

		if ( $created ) {
			if ( $role && is_string( $role['after'] ?? null ) ) {
				do_action( 'set_user_role', $uid, $role['after'], array() );
			}
			$userdata = array_merge(
				array(
					'user_login' => $user->user_login,
					'user_email' => $user->user_email,
				),
				$meta
			);
			do_action( 'user_register', $uid, $userdata );
		} else {
			if ( $fields ) {
				$old = clone $user;
				$old->data = clone $user->data;
				foreach ( array( 'user_email', 'user_nicename' ) as $c ) {
					if ( isset( $p['old'][ $c ] ) && is_string( $p['old'][ $c ] ) ) {
						$old->data->$c = $p['old'][ $c ];
					}
				}
				do_action( 'profile_update', $uid, $old, array_merge( array( 'ID' => $uid ), $meta ) );
			}
			if ( $role && is_string( $role['after'] ?? null ) ) {
				$before = is_string( $role['before'] ?? null ) ? array( $role['before'] ) : array();
				do_action( 'set_user_role', $uid, $role['after'], $before );
			}
			if ( $fields || $plugin ) {
				do_action( 'wpf_user_updated', $uid, $meta );
			}
		}

		if ( is_array( $p['tags'] ?? null ) ) {
			$applied = self::strings( $p['tags']['applied'] ?? array() );
			$removed = self::strings( $p['tags']['removed'] ?? array() );
			if ( $applied ) {
				do_action( 'wpf_tags_applied', $uid, $applied );
			}
			if ( $removed ) {
				do_action( 'wpf_tags_removed', $uid, $removed );
			}
			do_action( 'wpf_tags_modified', $uid, self::strings( $p['tags']['list'] ?? array() ) );
		}

		if ( $created ) {
			if ( ! empty( $p['notify'] ) ) {
				wp_new_user_notification( $uid, null, 'user' );
			}
			do_action( 'wpf_user_imported', $uid, $meta );
		}
		self::uncache( $uid, $p );
	}
}

Mautic_WP_Drain::boot();
