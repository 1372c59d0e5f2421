/*
 * Shared libraries loaded on their first use (dlopen), for the few runs that need them.
 *
 * Linked in, libxml2 (with ICU and libstdc++) and libgit2 (with Kerberos, mbed TLS, libssh2)
 * cost every start of a command 2.5 and 4 ms of CPU: more than a clerk's whole `dc-case show`.
 * A library's functions are listed once, as an X macro; the table of pointers is typed by the
 * library's own header (__typeof__), so every call is checked as if linked.  The headers
 * xmllib.h and gitlib.h redirect the library's names to the table, so callers read as usual.
 */
#ifndef DC_LAZY_H
#define DC_LAZY_H

#include <stddef.h>

struct dc_lazy {
	const char *soname;        /* what dlopen loads: the SONAME the build linked against */
	const char *const *names;  /* the symbols, NULL-terminated */
	const size_t *offsets;     /* where each one's pointer goes in table */
	void *table;
	void *lib;                 /* the loaded library; NULL until then */
	char err[256];             /* why loading failed */
};

/* A table member per symbol: a pointer to the function, or to the variable (xmlFree). */
#define DC_LAZY_MEMBER(f) __typeof__(f) *f;
#define DC_LAZY_NAME(f) #f,

/* Load L's library and fill its table; -1 with L->err set if it or a symbol is missing. */
int dc_lazy_open(struct dc_lazy *l);
/* The same for a library without which the command cannot go on, at a call deep in code that
 * has no way to return an error: it says why on stderr and exits 78 (a broken installation,
 * as the dynamic linker would have said at start for a linked library). */
void *dc_lazy_need(struct dc_lazy *l);

#endif
