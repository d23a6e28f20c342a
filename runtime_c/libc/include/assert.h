/* assert.h: may be included several times, honouring NDEBUG each time. A failed
 * assertion prints "assertion failed: EXPR (FILE:LINE)" on the console and
 * aborts. */
#undef assert

#ifdef NDEBUG
#define assert(expr) ((void)0)
#else
_Noreturn void __mirage_assert_fail(const char *expr, const char *file, int line);
#define assert(expr) ((expr) ? (void)0 : __mirage_assert_fail(#expr, __FILE__, __LINE__))
#endif

#if !defined(__cplusplus) && !defined(static_assert)
#define static_assert _Static_assert
#endif
