/* kv_rw dispatch: every read-write implementation's operations behind one set of functions
 * (reads go through the kv_ro functions on &kv->ro). */
#include <mirage/errors.h>
#include <mirage/kv_rw.h>

int mirage_kv_rw_set(struct mirage_kv_rw *kv, const char *key, const void *data, size_t len)
{
    return kv->rw_ops->set(kv, key, data, len);
}

int mirage_kv_rw_set_partial(struct mirage_kv_rw *kv, const char *key, uint64_t offset, const void *data,
                             size_t len)
{
    if (offset > (UINT64_C(1) << 63) || len > (UINT64_C(1) << 63) - offset)
        return MIRAGE_EINVAL;
    return kv->rw_ops->set_partial(kv, key, offset, data, len);
}

int mirage_kv_rw_remove(struct mirage_kv_rw *kv, const char *key)
{
    return kv->rw_ops->remove(kv, key);
}

int mirage_kv_rw_rename(struct mirage_kv_rw *kv, const char *source, const char *dest)
{
    return kv->rw_ops->rename(kv, source, dest);
}
