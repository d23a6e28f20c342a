/* ctype.h: the C locale only (ASCII). Arguments outside 0..255 (EOF included)
 * are classified as nothing and returned unchanged by toupper/tolower. */
#ifndef MIRAGE_LIBC_CTYPE_H
#define MIRAGE_LIBC_CTYPE_H

int isalpha(int c);
int isdigit(int c);
int isxdigit(int c);
int isalnum(int c);
int isspace(int c);
int isupper(int c);
int islower(int c);
int isprint(int c);
int ispunct(int c);
int iscntrl(int c);
int isgraph(int c);
int isblank(int c);
int toupper(int c);
int tolower(int c);

#endif
