/* errno.h: a single global errno (the runtime is single-threaded).
 * Values follow Linux so that numbers in logs read the same everywhere. */
#ifndef MIRAGE_LIBC_ERRNO_H
#define MIRAGE_LIBC_ERRNO_H

extern int errno;
#define errno errno

#define EPERM 1
#define ENOENT 2
#define EINTR 4
#define EIO 5
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ESPIPE 29
#define EPIPE 32
#define EDOM 33
#define ERANGE 34
#define ENOSYS 38
#define EILSEQ 84
#define EOVERFLOW 75
#define ENOTSUP 95
#define EOPNOTSUPP ENOTSUP
#define EADDRINUSE 98
#define ECONNRESET 104
#define ETIMEDOUT 110
#define ECONNREFUSED 111
#define EWOULDBLOCK EAGAIN

#endif
