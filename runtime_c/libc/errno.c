#include <errno.h>

#undef errno
int errno;
