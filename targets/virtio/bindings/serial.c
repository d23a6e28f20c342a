/* The console: the first serial port (COM1, a 16550 UART at I/O port 0x3F8),
 * written by polling the transmit-holding-register-empty bit. QEMU's
 * `-serial stdio` passes the bytes through unchanged. */
#include "bindings.h"
#include "io.h"

#define COM1 0x3F8
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define LSR_THRE 0x20

void serial_init(void)
{
    outb(COM1 + UART_IER, 0x00); /* no interrupts */
    outb(COM1 + UART_LCR, LCR_DLAB);
    outb(COM1 + UART_DATA, 0x01); /* divisor 1: 115200 baud */
    outb(COM1 + UART_IER, 0x00);
    outb(COM1 + UART_LCR, LCR_8N1);
    outb(COM1 + UART_FCR, 0x07); /* FIFOs on and cleared */
    outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
}

static void put_byte(char c)
{
    /* Bounded: a missing UART reads 0xFF, which shows THRE set. */
    for (unsigned spins = 0; !(inb(COM1 + UART_LSR) & LSR_THRE) && spins < 1000000; spins++)
        cpu_relax();
    outb(COM1 + UART_DATA, (uint8_t)c);
}

void serial_write(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        put_byte(buf[i]);
}

void serial_puts(const char *s)
{
    while (*s)
        put_byte(*s++);
}
