/* inttypes.h: the PRI macros (no scanf here, so no SCN) for LP64 targets, where
 * int64_t is long. */
#ifndef MIRAGE_LIBC_INTTYPES_H
#define MIRAGE_LIBC_INTTYPES_H

#include <stdint.h>

#if __SIZEOF_LONG__ == 8
#define __MIRAGE_PRI64 "l"
#else
#define __MIRAGE_PRI64 "ll"
#endif
#if __SIZEOF_POINTER__ == 8
#define __MIRAGE_PRIPTR __MIRAGE_PRI64
#else
#define __MIRAGE_PRIPTR ""
#endif

#define PRId8 "d"
#define PRId16 "d"
#define PRId32 "d"
#define PRId64 __MIRAGE_PRI64 "d"
#define PRIi8 "i"
#define PRIi16 "i"
#define PRIi32 "i"
#define PRIi64 __MIRAGE_PRI64 "i"
#define PRIu8 "u"
#define PRIu16 "u"
#define PRIu32 "u"
#define PRIu64 __MIRAGE_PRI64 "u"
#define PRIx8 "x"
#define PRIx16 "x"
#define PRIx32 "x"
#define PRIx64 __MIRAGE_PRI64 "x"
#define PRIX8 "X"
#define PRIX16 "X"
#define PRIX32 "X"
#define PRIX64 __MIRAGE_PRI64 "X"
#define PRIo8 "o"
#define PRIo16 "o"
#define PRIo32 "o"
#define PRIo64 __MIRAGE_PRI64 "o"

#define PRIdLEAST8 PRId8
#define PRIdLEAST16 PRId16
#define PRIdLEAST32 PRId32
#define PRIdLEAST64 PRId64
#define PRIuLEAST8 PRIu8
#define PRIuLEAST16 PRIu16
#define PRIuLEAST32 PRIu32
#define PRIuLEAST64 PRIu64
#define PRIxLEAST8 PRIx8
#define PRIxLEAST16 PRIx16
#define PRIxLEAST32 PRIx32
#define PRIxLEAST64 PRIx64

#define PRIdMAX "jd"
#define PRIiMAX "ji"
#define PRIuMAX "ju"
#define PRIxMAX "jx"
#define PRIXMAX "jX"
#define PRIoMAX "jo"
#define PRIdPTR __MIRAGE_PRIPTR "d"
#define PRIiPTR __MIRAGE_PRIPTR "i"
#define PRIuPTR __MIRAGE_PRIPTR "u"
#define PRIxPTR __MIRAGE_PRIPTR "x"
#define PRIXPTR __MIRAGE_PRIPTR "X"
#define PRIoPTR __MIRAGE_PRIPTR "o"

typedef struct {
    intmax_t quot;
    intmax_t rem;
} imaxdiv_t;

intmax_t strtoimax(const char *restrict nptr, char **restrict endptr, int base);
uintmax_t strtoumax(const char *restrict nptr, char **restrict endptr, int base);
intmax_t imaxabs(intmax_t x);

#endif
