/* Shared libraries loaded on their first use: see lazy.h. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lazy.h"

int
dc_lazy_open(struct dc_lazy *l)
{
	void *lib, *sym;
	size_t i;

	if (l->lib)
		return 0;
	if (!(lib = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL))) {
		snprintf(l->err, sizeof l->err, "%s", dlerror());
		return -1;
	}
	for (i = 0; l->names[i]; i++) {
		if (!(sym = dlsym(lib, l->names[i]))) {
			snprintf(l->err, sizeof l->err, "%s has no %s", l->soname, l->names[i]);
			dlclose(lib);
			return -1;
		}
		memcpy((char *)l->table + i * sizeof sym, &sym, sizeof sym);
	}
	l->lib = lib;
	return 0;
}

void *
dc_lazy_need(struct dc_lazy *l)
{
	if (dc_lazy_open(l) < 0) {
		fprintf(stderr, "%s: cannot load %s: %s\n", program_invocation_short_name, l->soname,
		        l->err);
		exit(78);
	}
	return l->table;
}
