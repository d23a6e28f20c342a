/* The smallest guest: one line on the console, status 0 (the size figure's
 * counterpart of Solo5's test_hello). */
#include <mirage/platform.h>

int mirage_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    static const char msg[] = "Hello, world\n";
    mirage_platform_console_write(msg, sizeof msg - 1);
    return 0;
}
