/* Boot-argument parsing. The generated main.c holds a table of mirage_arg and
 * typed accessors; this parser fills the table's storage from argv. */
#ifndef MIRAGE_ARGV_H
#define MIRAGE_ARGV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The boot-argument types, the one table of them: the C below expands it, and
 * mirage_tools (key.py) reads it for config.py's types and the generated code.
 * X(ENUM SUFFIX, name in --help, C type of the value, what a bad value should be) */
#define MIRAGE_ARG_TYPES(X)                                                                \
    X(STRING, "STRING", const char *, "a string")                                          \
    X(INT, "INT", int64_t, "an integer")                                                   \
    X(BOOL, "BOOL", bool, "true or false")                                                 \
    X(STRING_LIST, "LIST", struct mirage_strings, "a comma-separated list")                \
    X(IPV4, "IPV4", struct mirage_ipv4, "an IPv4 address")                                 \
    X(IPV4_PREFIX, "IPV4/LEN", struct mirage_ipv4_prefix, "an IPv4 prefix (address/length)") \
    X(IPV6, "IPV6", struct mirage_ipv6, "an IPv6 address")                                 \
    X(IPV6_PREFIX, "IPV6/LEN", struct mirage_ipv6_prefix, "an IPv6 prefix (address/length)")

#define MIRAGE_ARG_ENUM_(e, name, type, what) MIRAGE_ARG_##e,
enum mirage_arg_type { MIRAGE_ARG_TYPES(MIRAGE_ARG_ENUM_) };
#undef MIRAGE_ARG_ENUM_

struct mirage_strings { size_t len; const char **items; };
struct mirage_ipv4 { uint8_t bytes[4]; };
struct mirage_ipv4_prefix { struct mirage_ipv4 addr; uint8_t len; };
struct mirage_ipv6 { uint8_t bytes[16]; };
struct mirage_ipv6_prefix { struct mirage_ipv6 addr; uint8_t len; };

struct mirage_arg {
    const char *name;         /* without the leading "--" */
    enum mirage_arg_type type;
    const char *doc;
    const char *default_text; /* parsed like a command-line value before argv */
    void *value;              /* storage of the C type listed above */
    char short_name;          /* 'l' for "-l VALUE" as well as "--logs=VALUE"; 0 for none */
    bool required;            /* must be given (default_text is then NULL) */
};

/* Exit statuses of a parse that must end the unikernel. */
#define MIRAGE_EXIT_HELP 63
#define MIRAGE_EXIT_USAGE 64

/* Parse argv[1..argc-1] ("--name=value", "--name value", "--flag" for bools,
 * "--help"). A list given several times accumulates its items ("--x=a,b --x=c" is
 * a, b, c); any other argument given again takes the last value. A required
 * argument missing from argv is a usage error naming it. Returns 0, MIRAGE_EXIT_HELP after printing help, or MIRAGE_EXIT_USAGE after
 * printing an error naming the argument. Strings point into argv, which may be
 * modified in place. Every default_text is parsed first (a bad one is reported
 * like a bad value); a NULL default_text leaves a zero value (a NULL string, an
 * empty list). A list's items array is malloc'd, NULL-terminated, never freed. */
int mirage_argv_parse(const struct mirage_arg *args, size_t nargs, int argc, char **argv,
                      const char *prog);

/* Parse one value of the given type; 0 on success, MIRAGE_EINVAL for a bad text
 * (MIRAGE_ENOMEM if a list's items array cannot be allocated). out is written
 * only on success. */
int mirage_arg_parse_value(enum mirage_arg_type type, char *text, void *out);

/* For a driver rejecting the value of boot argument `name` at connect: print
 * "PROG: bad value 'TEXT' for --NAME: expected WHAT" as the parser does, and end
 * the unikernel with MIRAGE_EXIT_USAGE. */
_Noreturn void mirage_arg_reject(const char *name, const char *text, const char *what);

#endif
