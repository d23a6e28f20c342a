#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "util.h"

static const char *name = "tender";

void tender_set_name(const char *n)
{
    name = n;
}

const char *tender_name(void)
{
    return name;
}

static void vmessage(const char *fmt, va_list ap, const char *suffix)
{
    /* One buffered write per message, so concurrent output stays whole. */
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "%s: ", name);
    if (n < 0 || (size_t)n >= sizeof buf)
        n = 0;
    int m = vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    size_t used = m < 0 ? (size_t)n : (size_t)n + (size_t)m;
    if (used >= sizeof buf)
        used = sizeof buf - 1;
    fprintf(stderr, "%.*s%s%s\n", (int)used, buf, suffix ? ": " : "", suffix ? suffix : "");
}

void tender_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap, NULL);
    va_end(ap);
}

void tender_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap, NULL);
    va_end(ap);
    exit(1);
}

void tender_die_errno(const char *fmt, ...)
{
    const char *e = strerror(errno);
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap, e);
    va_end(ap);
    exit(1);
}

/* One read-only page: the SIGINT message, then the SIGTERM one. */
#define SIGNAL_MESSAGE_SIZE 128
static const char *signal_messages;
static size_t signal_lengths[2];

static inline int signal_slot(int sig)
{
    return sig == SIGTERM ? 1 : 0;
}

void tender_signal_message(int sig, const char **msg, size_t *len)
{
    *msg = signal_messages + signal_slot(sig) * SIGNAL_MESSAGE_SIZE;
    *len = signal_lengths[signal_slot(sig)];
}

static inline long raw_syscall3(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}

/* No libc and no stack protector here: under spt the guest owns %fs (so no
 * TLS, no errno, no canary), and the filter allows only this write and
 * exit_group. */
__attribute__((no_stack_protector))
static void on_signal(int sig)
{
    int slot = signal_slot(sig);
    raw_syscall3(SYS_write, 2, (long)(signal_messages + slot * SIGNAL_MESSAGE_SIZE),
                 (long)signal_lengths[slot]);
    for (;;)
        raw_syscall3(SYS_exit_group, 1, 0, 0);
}

void tender_exit_on_signals(void)
{
    const int sigs[2] = {SIGINT, SIGTERM};
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        tender_die_errno("mmap");
    for (int i = 0; i < 2; i++) {
        int n = snprintf(page + i * SIGNAL_MESSAGE_SIZE, SIGNAL_MESSAGE_SIZE,
                         "%s: exiting on signal %d\n", name, sigs[i]);
        signal_lengths[i] = n < 0 ? 0 : n >= SIGNAL_MESSAGE_SIZE ? SIGNAL_MESSAGE_SIZE - 1 : (size_t)n;
    }
    /* Read-only: an spt guest shares this address space, and must not be
     * able to turn the allowed write into one of its own text. */
    if (mprotect(page, 4096, PROT_READ) != 0)
        tender_die_errno("mprotect");
    signal_messages = page;

    /* Its own stack: the guest's may be anywhere, or exhausted. */
    stack_t ss = {.ss_size = 64 * 1024};
    ss.ss_sp = mmap(NULL, ss.ss_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ss.ss_sp == MAP_FAILED || sigaltstack(&ss, NULL) != 0)
        tender_die_errno("cannot set up a signal stack");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_ONSTACK;
    sigfillset(&sa.sa_mask);
    for (int i = 0; i < 2; i++)
        if (sigaction(sigs[i], &sa, NULL) != 0)
            tender_die_errno("cannot handle signal %d", sigs[i]);
}
