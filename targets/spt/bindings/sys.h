/* Raw Linux x86_64 system calls for the spt bindings: the only way an spt
 * guest talks to its tender (no host libc, no vDSO). The seccomp filter
 * allows these, with the arguments the tender pinned (and arch_prctl
 * ARCH_SET_FS, which the Solo5 spt ABI keeps and these bindings do not need:
 * the stack protector's canary is the libc's global __stack_chk_guard).
 * Results are the raw kernel values: >= 0 on success, -errno on failure. */
#ifndef SPT_SYS_H
#define SPT_SYS_H

#include <stddef.h>
#include <stdint.h>

#define SYS_read 0
#define SYS_write 1
#define SYS_pread64 17
#define SYS_pwrite64 18
#define SYS_clock_gettime 228
#define SYS_exit_group 231
#define SYS_epoll_pwait 281
#define SYS_timerfd_settime 286

#define SYS_EINTR 4
#define SYS_EAGAIN 11
#define SYS_CLOCK_REALTIME 0
#define SYS_CLOCK_MONOTONIC 1
#define SYS_TFD_TIMER_ABSTIME 1

struct sys_timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};

struct sys_itimerspec {
    struct sys_timespec it_interval;
    struct sys_timespec it_value;
};

/* x86_64 declares struct epoll_event packed: 12 bytes. */
struct sys_epoll_event {
    uint32_t events;
    uint64_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct sys_epoll_event) == 12, "epoll_event is packed on x86_64");

static inline long sys_call3(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return ret;
}

static inline long sys_call4(long nr, long a, long b, long c, long d)
{
    long ret;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
}

static inline long sys_call6(long nr, long a, long b, long c, long d, long e, long f)
{
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

static inline long sys_read(int fd, void *buf, size_t len)
{
    return sys_call3(SYS_read, fd, (long)buf, (long)len);
}

static inline long sys_write(int fd, const void *buf, size_t len)
{
    return sys_call3(SYS_write, fd, (long)buf, (long)len);
}

static inline long sys_pread64(int fd, void *buf, size_t len, uint64_t off)
{
    return sys_call4(SYS_pread64, fd, (long)buf, (long)len, (long)off);
}

static inline long sys_pwrite64(int fd, const void *buf, size_t len, uint64_t off)
{
    return sys_call4(SYS_pwrite64, fd, (long)buf, (long)len, (long)off);
}

static inline long sys_clock_gettime(int clock, struct sys_timespec *ts)
{
    return sys_call3(SYS_clock_gettime, clock, (long)ts, 0);
}

static inline long sys_timerfd_settime(int fd, int flags, const struct sys_itimerspec *it)
{
    return sys_call4(SYS_timerfd_settime, fd, flags, (long)it, 0);
}

static inline long sys_epoll_pwait(int epfd, struct sys_epoll_event *ev, int max, int timeout)
{
    return sys_call6(SYS_epoll_pwait, epfd, (long)ev, max, timeout, 0, 0);
}

__attribute__((noreturn))
static inline void sys_exit_group(int status)
{
    for (;;)
        sys_call3(SYS_exit_group, status, 0, 0);
}

#endif
