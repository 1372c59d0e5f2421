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

struct dc_lazy {
	const char *soname;       /* what dlopen loads: the SONAME the build linked against */
	const char *const *names; /* the symbols, NULL-terminated */
	void *table;              /* a pointer per name, in their order (DC_LAZY_LAYOUT) */
	void *lib;                /* the loaded library; NULL until then */
	char err[256];            /* why loading failed */
};

/* A table member per symbol: a pointer to the function, or to the variable (xmlFree). */
#define DC_LAZY_MEMBER(f) __typeof__(f) *f;
#define DC_LAZY_NAME(f) #f,

/* The table API (a struct of the LIST's pointers), its library L and FN(), which returns the
 * table, loading the library at the first call (a header's part); DC_LAZY_TABLE defines them
 * (in one source file). */
#define DC_LAZY_API(api, L, fn, LIST)                                                              \
	struct api {                                                                               \
		LIST(DC_LAZY_MEMBER)                                                               \
	};                                                                                         \
	extern struct dc_lazy L;                                                                   \
	extern struct api api##_table;                                                             \
	static inline struct api *fn(void)                                                         \
	{                                                                                          \
		return L.lib ? &api##_table : dc_lazy_need(&L);                                    \
	}
#define DC_LAZY_TABLE(api, L, soname, LIST)                                                        \
	struct api api##_table;                                                                    \
	static const char *const api##_names[] = {LIST(DC_LAZY_NAME) NULL};                        \
	DC_LAZY_LAYOUT(struct api, api##_names);                                                   \
	struct dc_lazy L = {soname, api##_names, &api##_table, NULL, ""};
/* The loader fills the table pointer by pointer, in the order of NAMES: a table of anything
 * else does not compile. */
#define DC_LAZY_LAYOUT(type, names)                                                                \
	_Static_assert(sizeof(type) == (sizeof names / sizeof *names - 1) * sizeof(void *),        \
	               "a lazy table holds one pointer per name")

/* Load L's library and fill its table; -1 with L->err set if it or a symbol is missing. */
int dc_lazy_open(struct dc_lazy *l);
/* The same for a library without which the command cannot go on, at a call deep in code that
 * has no way to return an error: it says why on stderr and exits 78 (a broken installation,
 * as the dynamic linker would have said at start for a linked library). */
void *dc_lazy_need(struct dc_lazy *l);

#endif
