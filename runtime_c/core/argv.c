/* The boot-argument parser. Hand-written and strict on purpose: a unikernel has
 * no getopt, and the value grammars (integers, IPv4/IPv6 text forms) must reject
 * anything ambiguous rather than guess. Values live for the whole run: string
 * values point into argv (or the default text), list arrays are malloc'd once and
 * never freed. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mirage/argv.h>
#include <mirage/errors.h>
#include <mirage/format.h>
#include <mirage/platform.h>

/* ---- value grammars ---- */

static int digit_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* [+-](decimal digits | 0x hex digits), within int64_t. */
static int parse_int(const char *s, int64_t *out)
{
    bool neg = false;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return MIRAGE_EINVAL;
    uint64_t v = 0;
    for (; *s != '\0'; s++) {
        int d = digit_value(*s);
        if (d < 0 || (unsigned)d >= base || v > (limit - (unsigned)d) / base)
            return MIRAGE_EINVAL;
        v = v * base + (unsigned)d;
    }
    *out = !neg ? (int64_t)v : v > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)v;
    return 0;
}

/* A decimal number of 1..3 digits in s[0..n), no leading zero unless it is "0". */
static int parse_small(const char *s, size_t n, unsigned max, unsigned *out)
{
    if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
        return MIRAGE_EINVAL;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return MIRAGE_EINVAL;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > max)
        return MIRAGE_EINVAL;
    *out = v;
    return 0;
}

/* Exactly a dotted quad in s[0..n). */
static int parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        size_t j = i;
        while (j < n && s[j] != '.')
            j++;
        unsigned v;
        if (parse_small(s + i, j - i, 255, &v) != 0)
            return MIRAGE_EINVAL;
        out[part] = (uint8_t)v;
        if (part < 3 && j == n)
            return MIRAGE_EINVAL;
        i = j + 1;
    }
    return i == n + 1 ? 0 : MIRAGE_EINVAL;
}

/* Groups "h:h:..." in s[0..n) into g (at most max groups); the last field may be
 * a dotted quad (two groups) when v4_ok. Returns the group count or -1. An empty
 * field anywhere (a stray ':' or a second "::") is an error. */
static int parse_groups(const char *s, size_t n, uint16_t *g, int max, bool v4_ok)
{
    int count = 0;
    size_t i = 0;
    if (n == 0)
        return 0;
    for (;;) {
        size_t j = i;
        bool dotted = false;
        while (j < n && s[j] != ':')
            dotted |= s[j++] == '.';
        if (dotted) {
            uint8_t q[4];
            if (!v4_ok || j != n || count + 2 > max || parse_ipv4(s + i, j - i, q) != 0)
                return -1;
            g[count++] = (uint16_t)(q[0] << 8 | q[1]);
            g[count++] = (uint16_t)(q[2] << 8 | q[3]);
            return count;
        }
        if (j == i || j - i > 4 || count >= max)
            return -1;
        unsigned v = 0;
        for (size_t k = i; k < j; k++) {
            int d = digit_value(s[k]);
            if (d < 0)
                return -1;
            v = v << 4 | (unsigned)d;
        }
        g[count++] = (uint16_t)v;
        if (j == n)
            return count;
        i = j + 1;
    }
}

/* RFC 4291 section 2.2 text forms, in s[0..n). */
static int parse_ipv6(const char *s, size_t n, uint8_t out[16])
{
    uint16_t g[8] = {0};
    size_t dc = 0;
    while (dc + 1 < n && !(s[dc] == ':' && s[dc + 1] == ':'))
        dc++;
    if (dc + 1 >= n) { /* no "::" */
        if (parse_groups(s, n, g, 8, true) != 8)
            return MIRAGE_EINVAL;
    } else {
        /* "::" stands for at least one zero group, so at most 7 are written. */
        uint16_t tail[7];
        int h = parse_groups(s, dc, g, 7, false);
        int t = parse_groups(s + dc + 2, n - dc - 2, tail, 7, true);
        if (h < 0 || t < 0 || h + t > 7)
            return MIRAGE_EINVAL;
        memcpy(g + 8 - t, tail, (size_t)t * sizeof tail[0]);
    }
    for (int i = 0; i < 8; i++) {
        out[2 * i] = (uint8_t)(g[i] >> 8);
        out[2 * i + 1] = (uint8_t)g[i];
    }
    return 0;
}

/* "address/length": splits at the '/', checks the length. */
static int split_prefix(const char *s, unsigned max, size_t *addr_len, uint8_t *len)
{
    const char *slash = strchr(s, '/');
    unsigned v;
    if (slash == NULL || parse_small(slash + 1, strlen(slash + 1), max, &v) != 0)
        return MIRAGE_EINVAL;
    *addr_len = (size_t)(slash - s);
    *len = (uint8_t)v;
    return 0;
}

/* Comma separated, split in place; "" is the empty list. */
static int parse_list(char *s, struct mirage_strings *out)
{
    size_t n = 0;
    if (*s != '\0') {
        n = 1;
        for (const char *p = s; *p != '\0'; p++)
            n += *p == ',';
    }
    const char **items = malloc((n + 1) * sizeof *items); /* NULL-terminated for C users */
    if (items == NULL)
        return MIRAGE_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        items[i] = s;
        char *comma = strchr(s, ',');
        if (comma != NULL) {
            *comma = '\0';
            s = comma + 1;
        }
    }
    items[n] = NULL;
    out->len = n;
    out->items = items;
    return 0;
}

int mirage_arg_parse_value(enum mirage_arg_type type, char *text, void *out)
{
    size_t n;
    switch (type) {
    case MIRAGE_ARG_STRING:
        *(const char **)out = text;
        return 0;
    case MIRAGE_ARG_INT:
        return parse_int(text, out);
    case MIRAGE_ARG_BOOL:
        if (strcmp(text, "true") == 0)
            *(bool *)out = true;
        else if (strcmp(text, "false") == 0)
            *(bool *)out = false;
        else
            return MIRAGE_EINVAL;
        return 0;
    case MIRAGE_ARG_STRING_LIST:
        return parse_list(text, out);
    case MIRAGE_ARG_IPV4:
        return parse_ipv4(text, strlen(text), ((struct mirage_ipv4 *)out)->bytes);
    case MIRAGE_ARG_IPV6:
        return parse_ipv6(text, strlen(text), ((struct mirage_ipv6 *)out)->bytes);
    case MIRAGE_ARG_IPV4_PREFIX: {
        struct mirage_ipv4_prefix p;
        if (split_prefix(text, 32, &n, &p.len) != 0 || parse_ipv4(text, n, p.addr.bytes) != 0)
            return MIRAGE_EINVAL;
        *(struct mirage_ipv4_prefix *)out = p;
        return 0;
    }
    case MIRAGE_ARG_IPV6_PREFIX: {
        struct mirage_ipv6_prefix p;
        if (split_prefix(text, 128, &n, &p.len) != 0 || parse_ipv6(text, n, p.addr.bytes) != 0)
            return MIRAGE_EINVAL;
        *(struct mirage_ipv6_prefix *)out = p;
        return 0;
    }
    }
    return MIRAGE_EINVAL;
}

/* ---- the command line ---- */

/* Room for a value of any type. */
#define MEMBER_(e, name, ctype, what) ctype e;
union any_value { MIRAGE_ARG_TYPES(MEMBER_) };
#undef MEMBER_

/* Per type, from the one table in <mirage/argv.h>. */
static size_t value_size(enum mirage_arg_type type)
{
#define SIZE_(e, name, ctype, what) case MIRAGE_ARG_##e: return sizeof(ctype);
    switch (type) { MIRAGE_ARG_TYPES(SIZE_) }
#undef SIZE_
    return 0;
}

static const char *type_name(enum mirage_arg_type type)
{
#define NAME_(e, name, ctype, what) case MIRAGE_ARG_##e: return name;
    switch (type) { MIRAGE_ARG_TYPES(NAME_) }
#undef NAME_
    return "VALUE";
}

static const char *expected(enum mirage_arg_type type)
{
#define WHAT_(e, name, ctype, what) case MIRAGE_ARG_##e: return what;
    switch (type) { MIRAGE_ARG_TYPES(WHAT_) }
#undef WHAT_
    return "a value";
}

static size_t option_width(const struct mirage_arg *a)
{
    /* ["-l, "] "--" name "=" TYPE */
    return (a->short_name ? 4 : 0) + strlen(a->name) + 3 + strlen(type_name(a->type));
}

/* Options in one aligned column, their documentation after it. */
static void print_help(const struct mirage_arg *args, size_t nargs, const char *prog)
{
    size_t width = sizeof "--help" - 1;
    for (size_t i = 0; i < nargs; i++)
        if (option_width(&args[i]) > width)
            width = option_width(&args[i]);
    mirage_core_printf("usage: %s [OPTION]...\n", prog);
    for (size_t i = 0; i < nargs; i++) {
        const struct mirage_arg *a = &args[i];
        if (a->short_name)
            mirage_core_printf("  -%c, --%s=%s%*s  %s", a->short_name, a->name, type_name(a->type),
                               (int)(width - option_width(a)), "", a->doc ? a->doc : "");
        else
            mirage_core_printf("  --%s=%s%*s  %s", a->name, type_name(a->type),
                           (int)(width - option_width(a)), "", a->doc ? a->doc : "");
        if (a->required)
            mirage_core_printf("%s(required)", a->doc && *a->doc ? " " : "");
        else if (a->default_text != NULL)
            mirage_core_printf("%s(default: %s)", a->doc && *a->doc ? " " : "", a->default_text);
        mirage_core_printf("\n");
    }
    mirage_core_printf("  %-*s  print this help and exit\n", (int)width, "--help");
}

/* A list given again on the command line keeps its earlier items: old, then new. */
static int append_list(struct mirage_strings *old, struct mirage_strings *new)
{
    const char **items = malloc((old->len + new->len + 1) * sizeof *items);
    if (items == NULL)
        return MIRAGE_ENOMEM;
    for (size_t i = 0; i < old->len; i++)
        items[i] = old->items[i];
    for (size_t i = 0; i <= new->len; i++) /* with the NULL terminator */
        items[old->len + i] = new->items[i];
    free(old->items);
    free(new->items);
    new->items = items;
    new->len += old->len;
    return 0;
}

/* Parse text into a's storage, leaving it untouched on failure; `again` appends a
 * list's items to those already given. */
static int store(const struct mirage_arg *a, char *text, const char *prog, const char *what, bool again)
{
    union any_value v;
    int err = mirage_arg_parse_value(a->type, text, &v);
    if (err == 0 && again && a->type == MIRAGE_ARG_STRING_LIST)
        err = append_list(a->value, &v.STRING_LIST);
    if (err == MIRAGE_ENOMEM) {
        mirage_core_printf("%s: out of memory storing --%s\n", prog, a->name);
        return MIRAGE_EXIT_USAGE;
    }
    if (err != 0) {
        mirage_core_printf("%s: bad %s '%s' for --%s: expected %s\n", prog, what, text, a->name,
                           expected(a->type));
        return MIRAGE_EXIT_USAGE;
    }
    memcpy(a->value, &v, value_size(a->type));
    return 0;
}

static int set_default(const struct mirage_arg *a, const char *prog)
{
    if (a->default_text == NULL) { /* no default: zero (a NULL string, an empty list) */
        memset(a->value, 0, value_size(a->type));
        return 0;
    }
    char *text = (char *)a->default_text; /* only a list is split in place: copy it */
    if (a->type == MIRAGE_ARG_STRING_LIST) {
        size_t n = strlen(a->default_text) + 1;
        if ((text = malloc(n)) == NULL) {
            mirage_core_printf("%s: out of memory storing --%s\n", prog, a->name);
            return MIRAGE_EXIT_USAGE;
        }
        memcpy(text, a->default_text, n);
    }
    return store(a, text, prog, "default", false);
}

static const struct mirage_arg *lookup_short(const struct mirage_arg *args, size_t nargs, char c)
{
    for (size_t i = 0; i < nargs; i++)
        if (c != 0 && args[i].short_name == c)
            return &args[i];
    return NULL;
}

static const struct mirage_arg *lookup(const struct mirage_arg *args, size_t nargs,
                                       const char *name, size_t len)
{
    for (size_t i = 0; i < nargs; i++)
        if (strncmp(args[i].name, name, len) == 0 && args[i].name[len] == '\0')
            return &args[i];
    return NULL;
}

/* The program name of the last parse, for mirage_arg_reject. */
static const char *parsed_prog = "unikernel";

/* The words after argv[0]; given[i] records that args[i] was on the command line. */
static int parse_words(const struct mirage_arg *args, size_t nargs, int argc, char **argv, const char *prog,
                       bool *given)
{
    static char true_text[] = "true";
    for (int i = 1; i < argc; i++) {
        char *word = argv[i];
        if (strcmp(word, "--help") == 0) {
            print_help(args, nargs, prog);
            return MIRAGE_EXIT_HELP;
        }
        const struct mirage_arg *a = word[0] == '-' && word[1] != '-' ? lookup_short(args, nargs, word[1]) : NULL;
        char *value;
        if (a != NULL) { /* "-l VALUE", "-lVALUE", or "-f" for a bool */
            value = word + 2;
            if (*value == '\0') {
                if (a->type == MIRAGE_ARG_BOOL)
                    value = true_text;
                else if (i + 1 < argc)
                    value = argv[++i];
                else {
                    mirage_core_printf("%s: missing value for -%c; try --help\n", prog, a->short_name);
                    return MIRAGE_EXIT_USAGE;
                }
            }
        } else {
            if (strncmp(word, "--", 2) != 0 || word[2] == '\0' || word[2] == '=') {
                mirage_core_printf("%s: unexpected argument '%s'; try --help\n", prog, word);
                return MIRAGE_EXIT_USAGE;
            }
            char *name = word + 2;
            char *eq = strchr(name, '=');
            size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
            a = lookup(args, nargs, name, name_len);
            if (a == NULL) {
                mirage_core_printf("%s: unknown argument '--%.*s'; try --help\n", prog, (int)name_len,
                                   name);
                return MIRAGE_EXIT_USAGE;
            }
            if (eq != NULL)
                value = eq + 1;
            else if (a->type == MIRAGE_ARG_BOOL)
                value = true_text; /* "--flag"; a bool never takes the next word */
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                mirage_core_printf("%s: missing value for --%s; try --help\n", prog, a->name);
                return MIRAGE_EXIT_USAGE;
            }
        }
        size_t k = (size_t)(a - args);
        int status = store(a, value, prog, "value", given[k]);
        if (status != 0)
            return status;
        given[k] = true;
    }
    for (size_t k = 0; k < nargs; k++) {
        if (args[k].required && !given[k]) {
            mirage_core_printf("%s: missing required argument --%s; try --help\n", prog, args[k].name);
            return MIRAGE_EXIT_USAGE;
        }
    }
    return 0;
}

int mirage_argv_parse(const struct mirage_arg *args, size_t nargs, int argc, char **argv,
                      const char *prog)
{
    if (prog == NULL)
        prog = "unikernel";
    parsed_prog = prog;
    for (size_t i = 0; i < nargs; i++) {
        int status = set_default(&args[i], prog);
        if (status != 0)
            return status;
    }
    bool *given = calloc(nargs > 0 ? nargs : 1, sizeof *given);
    if (given == NULL) {
        mirage_core_printf("%s: out of memory parsing the boot arguments\n", prog);
        return MIRAGE_EXIT_USAGE;
    }
    int status = parse_words(args, nargs, argc, argv, prog, given);
    free(given);
    return status;
}

_Noreturn void mirage_arg_reject(const char *name, const char *text, const char *what)
{
    mirage_core_printf("%s: bad value '%s' for --%s: expected %s\n", parsed_prog, text, name, what);
    mirage_platform_exit(MIRAGE_EXIT_USAGE);
}
