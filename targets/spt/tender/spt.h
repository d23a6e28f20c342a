/* The spt tender's internal interface. */
#ifndef SPT_TENDER_H
#define SPT_TENDER_H

#include "solo5_abi.h"

/* Build the seccomp filter for this guest (default action: kill the process
 * with SIGSYS) and load it. After it returns, only the syscalls the guest may
 * make are allowed, so the caller must make no other syscall, and must not
 * free memory (free() may call brk or munmap). */
void spt_seccomp_install(const struct solo5_mft *mft, int epollfd, int timerfd);

#endif
