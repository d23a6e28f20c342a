/* A stand-in for generated main.c, to run the unix platform for real:
 * `unix_probe MODE ...` exercises one platform service and reports on stdout. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mirage/clock.h>
#include <mirage/console.h>
#include <mirage/runtime.h>
#include <unix_platform.h>

static struct mirage_console con;

static void on_stdin(void *ctx)
{
    (void)ctx;
    char buf[64];
    ssize_t n = read(0, buf, sizeof buf);
    if (n <= 0) { /* EOF: stop watching, the loop then has nothing left */
        mirage_unix_watch_fd(7, -1);
        mirage_loop_watch(7, NULL, NULL);
        mirage_console_printf(&con, "eof\n");
        return;
    }
    mirage_console_printf(&con, "read %d: %.*s\n", (int)n, (int)n, buf);
}

static void on_timer(void *ctx)
{
    mirage_console_printf(&con, "timer %s\n", (const char *)ctx);
}

int mirage_main(int argc, char **argv)
{
    default_console_connect(&con);
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "exit") == 0)
        return atoi(argv[2]);
    if (strcmp(mode, "long") == 0) {
        static char big[100001];
        memset(big, 'a', sizeof big - 1);
        return mirage_console_printf(&con, "<%s>\n", big) == 0 ? 0 : 1;
    }
    if (strcmp(mode, "sleep") == 0) {
        struct mirage_timer t = {0};
        uint64_t start = mirage_mclock_ns();
        mirage_timer_start(&t, start + 20000000, on_timer, "20ms");
        mirage_sleep_ns(50000000);
        uint64_t slept = mirage_mclock_ns() - start;
        mirage_console_printf(&con, "slept %s\n", slept >= 50000000 ? "enough" : "too little");
        mirage_console_printf(&con, "wall %llu\n", (unsigned long long)mirage_pclock_ns());
        return mirage_run();
    }
    if (strcmp(mode, "stdin") == 0) {
        if (mirage_unix_watch_fd(64, 0) != MIRAGE_EINVAL)
            return 2;
        mirage_unix_watch_fd(7, 0);
        mirage_loop_watch(7, on_stdin, NULL);
        return mirage_run();
    }
    if (strcmp(mode, "abort") == 0)
        mirage_platform_abort();
    if (strcmp(mode, "platform-exit") == 0)
        mirage_platform_exit(9);
    mirage_console_printf(&con, "unknown mode\n");
    return 1;
}
