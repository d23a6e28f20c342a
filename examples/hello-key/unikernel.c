/* hello-key: four greetings, one second apart, with the text of --hello. */
#include <mirage/console.h>
#include <mirage/loop.h>

#include "mirage_app.h"

int unikernel_start(struct mirage_console *console)
{
    for (int i = 0; i < 4; i++) {
        mirage_console_printf(console, "%s\n", mirage_arg_hello());
        mirage_sleep_ns(1000000000ULL);
    }
    return 0;
}
