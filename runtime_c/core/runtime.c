/* Helpers for the generated entry point. */
#include <mirage/format.h>
#include <mirage/runtime.h>

int mirage_connect_failed(const char *var, const char *impl, const char *where, int err)
{
    mirage_core_printf("mirage: cannot connect device %s (%s) at %s: %s\n", var, impl, where,
                       mirage_strerror(err));
    return 1;
}
