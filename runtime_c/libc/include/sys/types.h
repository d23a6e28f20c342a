#ifndef MIRAGE_LIBC_SYS_TYPES_H
#define MIRAGE_LIBC_SYS_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef __PTRDIFF_TYPE__ ssize_t;
typedef int64_t off_t;

#endif
