/* app_info: the build's facts, passed by the generated entry point as string
 * literals (the engine fills them in from the resolved plan), checked and kept. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <mirage/errors.h>
#include <mirage/info.h>

/* Lines of a '\n'-separated list ("" has none). */
static size_t count_lines(const char *s)
{
    if (*s == '\0')
        return 0;
    size_t n = 1;
    for (; *s != '\0'; s++)
        n += *s == '\n';
    return n;
}

static bool is_digest(const char *s)
{
    size_t n = 0;
    for (; s[n] != '\0'; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return false;
    return n == 64;
}

/* Every line is "name=value" with a non-empty name. */
static bool is_key_list(const char *s)
{
    while (*s != '\0') {
        const char *end = strchr(s, '\n');
        size_t len = end != NULL ? (size_t)(end - s) : strlen(s);
        const char *eq = memchr(s, '=', len);
        if (eq == NULL || eq == s)
            return false;
        s += len + (end != NULL);
        if (end != NULL && *s == '\0')
            return false; /* a trailing newline would be an empty line */
    }
    return true;
}

int app_info_connect(struct mirage_info *out, const char *name, const char *target, const char *keys,
                     const char *packages, const char *config_sha256)
{
    if (name == NULL || target == NULL || keys == NULL || packages == NULL || config_sha256 == NULL ||
        !is_digest(config_sha256) || !is_key_list(keys))
        return MIRAGE_EINVAL;
    out->name = name;
    out->target = target;
    out->keys = keys;
    out->packages = packages;
    out->config_sha256 = config_sha256;
    out->nkeys = count_lines(keys);
    out->npackages = count_lines(packages);
    return MIRAGE_OK;
}

size_t mirage_info_unescape(const char *value, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = value[i];
        if (c == '\\' && i + 1 < len) {
            c = value[++i];
            if (c == 'n')
                c = '\n';
        }
        out[n++] = c;
    }
    return n;
}

const char *mirage_info_key(const struct mirage_info *info, const char *key, size_t *len)
{
    size_t klen = strlen(key);
    for (const char *s = info->keys; *s != '\0';) {
        const char *end = strchr(s, '\n');
        size_t line = end != NULL ? (size_t)(end - s) : strlen(s);
        if (line > klen && strncmp(s, key, klen) == 0 && s[klen] == '=') {
            *len = line - klen - 1;
            return s + klen + 1;
        }
        s += line + (end != NULL);
    }
    return NULL;
}
