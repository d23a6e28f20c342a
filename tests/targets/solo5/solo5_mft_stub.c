/* What each Solo5 target's bindings provide to solo5_bindings.c; the host
 * tests of its command-line splitter need no manifest. */
#include <stddef.h>

#include "solo5_bindings.h"

const struct solo5_mft *solo5_bindings_mft(void)
{
    return NULL;
}
