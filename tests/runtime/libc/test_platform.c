/* The platform functions the libc needs, for the host tests: the console is
 * captured in a buffer, and mirage_platform_abort jumps back to t_catch_abort
 * (with GCC's __builtin_setjmp: no host libc is linked in). */
#include <assert.h>
#include <errno.h>
#include <mirage_libc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char console[65536];
static size_t console_len;

void mirage_platform_console_write(const char *buf, size_t len)
{
    for (size_t i = 0; i < len && console_len < sizeof console; i++)
        console[console_len++] = buf[i];
}

size_t t_console_take(char *out, size_t cap)
{
    size_t n = console_len < cap ? console_len : cap;
    memcpy(out, console, n);
    console_len = 0;
    return n;
}

static void *jump[5];
static int armed;
int t_aborts;

_Noreturn void mirage_platform_abort(void)
{
    t_aborts++;
    if (armed) {
        armed = 0;
        __builtin_longjmp(jump, 1);
    }
    __builtin_trap();
}

static void do_assert_false(void)
{
    int x = 1;
    assert(x == 2);
}

static void do_assert_true(void)
{
    int x = 2;
    assert(x == 2);
}

/* Runs one of the aborting paths; returns 1 if it aborted, 0 if it returned. */
__attribute__((noinline)) int t_catch_abort(int which)
{
    if (__builtin_setjmp(jump))
        return 1;
    armed = 1;
    switch (which) {
    case 0: abort();
    case 1: do_assert_false(); break;
    case 2: do_assert_true(); break;
    case 3: __stack_chk_fail();
    case 4: free((void *)8); break; /* not a heap pointer */
    default: break;
    }
    armed = 0;
    return 0;
}

/* Frees p twice (the second one must abort). */
__attribute__((noinline)) int t_double_free(void *p)
{
    if (__builtin_setjmp(jump))
        return 1;
    armed = 1;
    free(p);
    free(p);
    armed = 0;
    return 0;
}

uintptr_t t_stack_guard(void) { return __stack_chk_guard; }

/* Sorting ints through qsort with the C comparator (fast, no Python callback). */
static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

void t_qsort_int(int *a, size_t n) { qsort(a, n, sizeof *a, cmp_int); }

/* A comparator that lies: exercises the "stays in bounds" promise. */
static unsigned lie_state;
static int cmp_random(const void *a, const void *b)
{
    (void)a;
    (void)b;
    lie_state = lie_state * 1103515245u + 12345u;
    return (int)(lie_state >> 16) % 3 - 1;
}

void t_qsort_random_cmp(int *a, size_t n, unsigned seed)
{
    lie_state = seed;
    qsort(a, n, sizeof *a, cmp_random);
}

/* 24-byte records sorted by key: a size that is not the word path. */
struct rec {
    int key;
    int index;
    char pad[16];
};

static int cmp_rec(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

void t_qsort_rec(struct rec *a, size_t n) { qsort(a, n, sizeof *a, cmp_rec); }

int *t_bsearch_int(const int *key, const int *a, size_t n)
{
    return bsearch(key, a, n, sizeof *a, cmp_int);
}

int t_errno_get(void) { return errno; }
void t_errno_set(int v) { errno = v; }
