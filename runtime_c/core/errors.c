/* Names for the shared error codes. */
#include <mirage/errors.h>

const char *mirage_strerror(int err)
{
    switch (err) {
    case MIRAGE_OK: return "success";
    case MIRAGE_EINVAL: return "invalid argument";
    case MIRAGE_ENOENT: return "no such entry";
    case MIRAGE_EAGAIN: return "try again later";
    case MIRAGE_ENOMEM: return "out of memory";
    case MIRAGE_EIO: return "input/output error";
    case MIRAGE_ENOSPC: return "no space left";
    case MIRAGE_EEXIST: return "already exists";
    case MIRAGE_ERANGE: return "out of range";
    case MIRAGE_ENOTSUP: return "not supported";
    case MIRAGE_EUNSPEC: return "unspecified failure";
    case MIRAGE_EBUSY: return "in use by another process";
    case MIRAGE_ECONNREFUSED: return "connection refused";
    case MIRAGE_ECONNRESET: return "connection reset by peer";
    case MIRAGE_ETIMEDOUT: return "timed out";
    case MIRAGE_EADDRINUSE: return "address in use";
    case MIRAGE_EHOSTUNREACH: return "no route to host";
    case MIRAGE_ENOTCONN: return "not connected";
    default: return "unknown error";
    }
}
