/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * clock.h - the time sources the program measures itself with.
 */
#ifndef MW_CLOCK_H
#define MW_CLOCK_H

/* Milliseconds on the monotonic clock (durations and deadlines only: the
 * origin is arbitrary). */
long long mw_now_ms(void);

/* The same in microseconds, for measuring short things. */
long long mw_now_us(void);

#endif
