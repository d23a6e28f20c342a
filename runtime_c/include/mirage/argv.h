/* Boot-argument parsing. The generated main.c holds a table of mirage_arg and
 * typed accessors; this parser fills the table's storage from argv. */
#ifndef MIRAGE_ARGV_H
#define MIRAGE_ARGV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mirage_arg_type {
    MIRAGE_ARG_STRING,      /* const char *           */
    MIRAGE_ARG_INT,         /* int64_t                */
    MIRAGE_ARG_BOOL,        /* bool                   */
    MIRAGE_ARG_STRING_LIST, /* struct mirage_strings  (comma separated) */
    MIRAGE_ARG_IPV4,        /* struct mirage_ipv4     */
    MIRAGE_ARG_IPV4_PREFIX, /* struct mirage_ipv4_prefix (address/length) */
    MIRAGE_ARG_IPV6,        /* struct mirage_ipv6     */
    MIRAGE_ARG_IPV6_PREFIX, /* struct mirage_ipv6_prefix */
};

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
};

/* Exit statuses of a parse that must end the unikernel. */
#define MIRAGE_EXIT_HELP 63
#define MIRAGE_EXIT_USAGE 64

/* Parse argv[1..argc-1] ("--name=value", "--name value", "--flag" for bools,
 * "--help"). Arguments starting with "--solo5:" are the tender's and are skipped.
 * Returns 0, MIRAGE_EXIT_HELP after printing help, or MIRAGE_EXIT_USAGE after
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

/* For drivers, which cannot include the generated mirage_app.h: copy the value of
 * boot argument `name` (without "--"), as the last mirage_argv_parse stored it, to
 * out; size must be the size of the argument's C type (above). Returns 0,
 * MIRAGE_ENOENT when no argument of that name was declared (or nothing was parsed
 * yet), MIRAGE_EINVAL when size does not match. The device that reads an argument
 * declares it in config.py (runtime_args), so the parse happened before its connect. */
int mirage_arg_get(const char *name, void *out, size_t size);

/* For a driver rejecting the value of boot argument `name` at connect: print
 * "PROG: bad value 'TEXT' for --NAME: expected WHAT" as the parser does, and end
 * the unikernel with MIRAGE_EXIT_USAGE. */
_Noreturn void mirage_arg_reject(const char *name, const char *text, const char *what);

#endif
