# A position-independent program with no libc: prints through pc-relative addressing and exits 7.
    .text
    .globl _start
_start:
    li a0, 1
    lla a1, message
    li a2, 14
    li a7, 64
    ecall
    li a0, 7
    li a7, 93
    ecall
    .section .rodata
message:
    .ascii "position-free\n"
