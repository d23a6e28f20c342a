/* The network module type: argument checks, then dispatch through the ops table
 * (so several implementations can live in one image). */
#include <stddef.h>

#include <mirage/errors.h>
#include <mirage/network.h>

int mirage_network_write(struct mirage_network *n, const void *frame, size_t len)
{
    if (n == NULL || n->ops == NULL || frame == NULL)
        return MIRAGE_EINVAL;
    if (len < MIRAGE_ETHER_HEADER || len > (size_t)n->mtu + MIRAGE_ETHER_HEADER)
        return MIRAGE_EINVAL;
    return n->ops->write(n, frame, len);
}

int mirage_network_listen(struct mirage_network *n, mirage_frame_fn fn, void *ctx)
{
    if (n == NULL || n->ops == NULL)
        return MIRAGE_EINVAL;
    mirage_frame_fn old_fn = n->fn;
    void *old_ctx = n->ctx;
    n->fn = fn;
    n->ctx = fn != NULL ? ctx : NULL;
    int rc = n->ops->listen(n, fn, ctx);
    if (rc < 0) { /* nothing changed: keep the previous listener */
        n->fn = old_fn;
        n->ctx = old_ctx;
    }
    return rc;
}
