/* The tcp module types (tcpv4, tcpv6, tcpv4v6): reliable byte streams ("flows") over
 * the stack's IP layer, event driven. A flow comes from a listener's accept callback
 * or a connect's completion callback; its events then arrive through the callbacks
 * the application sets on it, from the event loop.
 *
 * Life of a flow, from the application's side:
 *  - recv: bytes arrived in order; the window reopens when the callback returns.
 *  - mirage_flow_pause: stop delivery; the stack keeps what arrives (the receive
 *    window then closes, so the sender slows down) until delivery resumes.
 *  - eof: the peer shut its sending side; no recv follows. Writing still works.
 *  - mirage_flow_shutdown: our side sends FIN after what was written; recv goes on.
 *  - mirage_flow_close: we are done: FIN after what was written, later data is
 *    dropped, no callback runs again, and the flow is gone when the call returns
 *    (the stack finishes the close on its own).
 *  - mirage_flow_reset: RST at once, pending data dropped; the flow is gone.
 *  - closed(err): the connection ended while we held the flow: err 0 when both sides
 *    shut down in order (our shutdown, their eof), else it failed (MIRAGE_ECONNRESET,
 *    MIRAGE_ETIMEDOUT, MIRAGE_ENOMEM). The flow is gone once the callback returns: do
 *    not close it.
 * Every flow ends with exactly one of close, reset or closed. */
#ifndef MIRAGE_TCP_H
#define MIRAGE_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mirage/ip.h>

struct mirage_tcp;
struct mirage_flow;

struct mirage_flow_callbacks {
    void (*recv)(void *ctx, struct mirage_flow *f, const uint8_t *data, size_t len); /* valid during the call */
    void (*eof)(void *ctx, struct mirage_flow *f);
    void (*writable)(void *ctx, struct mirage_flow *f); /* room again after a short write */
    void (*closed)(void *ctx, struct mirage_flow *f, int err);
};

/* A new connection on a listening port; set its callbacks before returning (data
 * may follow at once). */
typedef void (*mirage_tcp_accept_fn)(void *ctx, struct mirage_flow *f);
/* A connect finished: f is the new flow (err 0), or NULL with MIRAGE_ECONNREFUSED,
 * MIRAGE_ETIMEDOUT, MIRAGE_EHOSTUNREACH or MIRAGE_ENOMEM. */
typedef void (*mirage_tcp_connect_fn)(void *ctx, struct mirage_flow *f, int err);

struct mirage_flow_ops {
    int (*write)(struct mirage_flow *f, const void *data, size_t len, size_t *written);
    size_t (*sendable)(struct mirage_flow *f);
    int (*shutdown)(struct mirage_flow *f);
    void (*close)(struct mirage_flow *f);
    void (*reset)(struct mirage_flow *f);
    void (*nodelay)(struct mirage_flow *f, bool on);
    void (*pause)(struct mirage_flow *f, bool paused);
};

struct mirage_flow {
    const struct mirage_flow_ops *ops;
    const struct mirage_flow_callbacks *cb; /* NULL until set: events are then dropped */
    void *ctx;
    struct mirage_ipaddr local, peer;
    uint16_t local_port, peer_port;
    void *state; /* the implementation's */
};

struct mirage_tcp_ops {
    int (*listen)(struct mirage_tcp *t, uint16_t port, mirage_tcp_accept_fn fn, void *ctx);
    int (*unlisten)(struct mirage_tcp *t, uint16_t port);
    int (*connect)(struct mirage_tcp *t, const struct mirage_ipaddr *dst, uint16_t port, mirage_tcp_connect_fn fn,
                   void *ctx);
};

struct mirage_tcp {
    const struct mirage_tcp_ops *ops;
    void *state; /* the implementation's */
};

/* Accept connections on `port` (1..65535, every address of the stack); a listening
 * port keeps the event loop alive. MIRAGE_EADDRINUSE, MIRAGE_EINVAL, MIRAGE_ENOMEM. */
int mirage_tcp_listen(struct mirage_tcp *t, uint16_t port, mirage_tcp_accept_fn fn, void *ctx);
/* Stop accepting on `port` (established flows go on): 0 or MIRAGE_ENOENT. */
int mirage_tcp_unlisten(struct mirage_tcp *t, uint16_t port);
/* Open a connection to dst:port from an ephemeral port; fn runs once, later, from
 * the event loop. 0 when started; MIRAGE_EINVAL (an address family this stack does
 * not carry), MIRAGE_EHOSTUNREACH, MIRAGE_ENOMEM: fn will not run. */
int mirage_tcp_connect(struct mirage_tcp *t, const struct mirage_ipaddr *dst, uint16_t port, mirage_tcp_connect_fn fn,
                       void *ctx);

/* Set the flow's callbacks (cb must outlive the flow) and their context. */
void mirage_flow_set_callbacks(struct mirage_flow *f, const struct mirage_flow_callbacks *cb, void *ctx);
/* Queue up to len bytes (copied before the call returns) and set *written to how
 * many: 0 when at least one byte was taken; MIRAGE_EAGAIN when none fit (the
 * writable callback runs once room comes back); MIRAGE_ENOTCONN after shutdown or
 * once the connection is gone; MIRAGE_EINVAL. A short write also ends with
 * writable once room comes back. */
int mirage_flow_write(struct mirage_flow *f, const void *data, size_t len, size_t *written);
/* How many bytes a write would take now. */
size_t mirage_flow_sendable(struct mirage_flow *f);
/* Half-close: send FIN after what was written; 0 or MIRAGE_ENOTCONN. */
int mirage_flow_shutdown(struct mirage_flow *f);
void mirage_flow_close(struct mirage_flow *f);
void mirage_flow_reset(struct mirage_flow *f);
/* Stop (true) or resume (false) delivering received bytes and eof. While paused the
 * stack holds what arrives, at most a receive window, so a consumer that cannot keep up
 * (an echo whose writes come back short) slows its sender instead of buffering without
 * bound. Resuming delivers what was held, from the event loop or at once. */
void mirage_flow_pause(struct mirage_flow *f, bool paused);
/* Send small writes at once (true) or coalesce them (Nagle, the default). */
void mirage_flow_nodelay(struct mirage_flow *f, bool on);

#endif
