/* limits.h for the mirage freestanding libc.
 *
 * GCC's own <limits.h> (found first on the include path) ends with
 * `#include_next <limits.h>` when built for a system that has one, which lands
 * here. This file is also complete on its own, in case it is found first: every
 * C limit is derived from the compiler's predefined macros, and GCC's file, if
 * included afterwards, simply redefines the same values. */
#ifndef _LIBC_LIMITS_H_
#define _LIBC_LIMITS_H_

#ifndef CHAR_BIT
#define CHAR_BIT __CHAR_BIT__
#endif
#ifndef SCHAR_MAX
#define SCHAR_MAX __SCHAR_MAX__
#define SCHAR_MIN (-SCHAR_MAX - 1)
#define UCHAR_MAX (SCHAR_MAX * 2 + 1)
#endif
#ifndef CHAR_MAX
#ifdef __CHAR_UNSIGNED__
#define CHAR_MIN 0
#define CHAR_MAX UCHAR_MAX
#else
#define CHAR_MIN SCHAR_MIN
#define CHAR_MAX SCHAR_MAX
#endif
#endif
#ifndef MB_LEN_MAX
#define MB_LEN_MAX 1
#endif
#ifndef SHRT_MAX
#define SHRT_MAX __SHRT_MAX__
#define SHRT_MIN (-SHRT_MAX - 1)
#define USHRT_MAX (SHRT_MAX * 2 + 1)
#endif
#ifndef INT_MAX
#define INT_MAX __INT_MAX__
#define INT_MIN (-INT_MAX - 1)
#define UINT_MAX (INT_MAX * 2U + 1U)
#endif
#ifndef LONG_MAX
#define LONG_MAX __LONG_MAX__
#define LONG_MIN (-LONG_MAX - 1L)
#define ULONG_MAX (LONG_MAX * 2UL + 1UL)
#endif
#ifndef LLONG_MAX
#define LLONG_MAX __LONG_LONG_MAX__
#define LLONG_MIN (-LLONG_MAX - 1LL)
#define ULLONG_MAX (LLONG_MAX * 2ULL + 1ULL)
#endif

/* POSIX extras that third-party C commonly expects. */
#ifndef SSIZE_MAX
#define SSIZE_MAX __PTRDIFF_MAX__
#endif

#endif
