/* Entry stubs for the 32 CPU exception vectors. Each one pushes a zero where
 * the CPU pushes no error code, then the vector number, saves the general
 * registers and calls virtio_trap(frame) in traps.c, which never returns.
 * The IDT (cpu.c) runs them on their own stack (IST 1). */

.macro TRAP_NOERR vec
trap_\vec:
    pushq $0
    pushq $\vec
    jmp trap_common
.endm

.macro TRAP_ERR vec
trap_\vec:
    pushq $\vec
    jmp trap_common
.endm

    .text
TRAP_NOERR 0
TRAP_NOERR 1
TRAP_NOERR 2
TRAP_NOERR 3
TRAP_NOERR 4
TRAP_NOERR 5
TRAP_NOERR 6
TRAP_NOERR 7
TRAP_ERR 8
TRAP_NOERR 9
TRAP_ERR 10
TRAP_ERR 11
TRAP_ERR 12
TRAP_ERR 13
TRAP_ERR 14
TRAP_NOERR 15
TRAP_NOERR 16
TRAP_ERR 17
TRAP_NOERR 18
TRAP_NOERR 19
TRAP_NOERR 20
TRAP_ERR 21
TRAP_NOERR 22
TRAP_NOERR 23
TRAP_NOERR 24
TRAP_NOERR 25
TRAP_NOERR 26
TRAP_NOERR 27
TRAP_NOERR 28
TRAP_ERR 29
TRAP_ERR 30
TRAP_NOERR 31

/* Stack now: vector, error code, then the CPU's RIP, CS, RFLAGS, RSP, SS.
 * Save the registers so they read as struct trap_frame (traps.c). */
trap_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rdi
    andq $-16, %rsp
    cld
    call virtio_trap
1:  ud2
    jmp 1b

    .section .rodata
    .balign 8
    .globl virtio_trap_stubs
virtio_trap_stubs:
    .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad trap_\vec
    .endr

    .section .note.GNU-stack, "", @progbits
