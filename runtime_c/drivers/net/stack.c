/* A stack's layers as devices of their own (tcpv4v6_of_stackv4v6, ...): the layer's
 * ops and state are shared with the stack, so this copies the handle. */
#include <stddef.h>

#include <mirage/errors.h>
#include <mirage/stack.h>

int stack_tcp_connect(struct mirage_tcp *out, struct mirage_stack *stack)
{
    if (out == NULL || stack == NULL || stack->tcp == NULL)
        return MIRAGE_EINVAL;
    *out = *stack->tcp;
    return 0;
}

int stack_udp_connect(struct mirage_udp *out, struct mirage_stack *stack)
{
    if (out == NULL || stack == NULL || stack->udp == NULL)
        return MIRAGE_EINVAL;
    *out = *stack->udp;
    return 0;
}
