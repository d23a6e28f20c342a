/* Error codes shared by every device family: 0 is success, failures are negative. */
#ifndef MIRAGE_ERRORS_H
#define MIRAGE_ERRORS_H

enum mirage_error {
    MIRAGE_OK = 0,
    MIRAGE_EINVAL = -1,   /* invalid argument */
    MIRAGE_ENOENT = -2,   /* no such entry */
    MIRAGE_EAGAIN = -3,   /* try again later */
    MIRAGE_ENOMEM = -4,   /* out of memory */
    MIRAGE_EIO = -5,      /* input/output error */
    MIRAGE_ENOSPC = -6,   /* no space left */
    MIRAGE_EEXIST = -7,   /* already exists */
    MIRAGE_ERANGE = -8,   /* out of range */
    MIRAGE_ENOTSUP = -9,  /* not supported */
    MIRAGE_EUNSPEC = -10, /* unspecified failure */
    MIRAGE_EBUSY = -11,   /* in use by someone else (a locked file) */
    MIRAGE_ECONNREFUSED = -12, /* the peer refused the connection (a reset answered the SYN) */
    MIRAGE_ECONNRESET = -13,   /* the peer reset the connection */
    MIRAGE_ETIMEDOUT = -14,    /* the peer stopped answering */
    MIRAGE_EADDRINUSE = -15,   /* the local address or port is taken */
    MIRAGE_EHOSTUNREACH = -16, /* no route to the host */
    MIRAGE_ENOTCONN = -17,     /* the connection is closed, or shut for writing */
};

/* A short English description of a mirage_error value (any int is accepted). */
const char *mirage_strerror(int err);

#endif
