/* kv_ro dispatch: every implementation's operations behind one set of functions. */
#include <stdlib.h>

#include <mirage/errors.h>
#include <mirage/kv_ro.h>

int mirage_kv_ro_exists(struct mirage_kv_ro *kv, const char *key, enum mirage_kv_kind *kind)
{
    return kv->ops->exists(kv, key, kind);
}

int mirage_kv_ro_size(struct mirage_kv_ro *kv, const char *key, uint64_t *size)
{
    return kv->ops->size(kv, key, size);
}

int mirage_kv_ro_get_partial(struct mirage_kv_ro *kv, const char *key, uint64_t offset, void *buf,
                             size_t len, size_t *read)
{
    return kv->ops->get_partial(kv, key, offset, buf, len, read);
}

int mirage_kv_ro_get(struct mirage_kv_ro *kv, const char *key, uint8_t **value, size_t *len)
{
    uint64_t size;
    int rc = kv->ops->size(kv, key, &size);
    if (rc < 0)
        return rc;
    if (size > (uint64_t)SIZE_MAX - 1)
        return MIRAGE_ENOMEM;
    uint8_t *buf = malloc(size ? (size_t)size : 1); /* never NULL for an empty value */
    if (buf == NULL)
        return MIRAGE_ENOMEM;
    size_t got = 0;
    while (got < size) {
        size_t n;
        rc = kv->ops->get_partial(kv, key, got, buf + got, (size_t)size - got, &n);
        if (rc < 0 || n == 0) {
            free(buf);
            return rc < 0 ? rc : MIRAGE_EIO; /* shrank while we read it */
        }
        got += n;
    }
    *value = buf;
    *len = (size_t)size;
    return MIRAGE_OK;
}

int mirage_kv_ro_list(struct mirage_kv_ro *kv, const char *key, mirage_kv_list_fn fn, void *ctx)
{
    return kv->ops->list(kv, key, fn, ctx);
}

int mirage_kv_ro_last_modified(struct mirage_kv_ro *kv, const char *key, uint64_t *ns_since_epoch)
{
    return kv->ops->last_modified(kv, key, ns_since_epoch);
}

int mirage_kv_ro_digest(struct mirage_kv_ro *kv, const char *key, uint8_t sha256[32])
{
    return kv->ops->digest(kv, key, sha256);
}
