/* Replay saved inputs through a fuzz harness without libFuzzer (gcc, ASan+UBSan), so that
 * `make check` runs the regression inputs and the seed corpus without clang.  Operands are
 * files or directories (their regular files, sorted); prints one TAP line per input. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int n;

static int
replay(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (!fp) {
		printf("not ok %d - %s: cannot open\n", ++n, path);
		return 1;
	}
	do {
		if (len == cap && !(buf = realloc(buf, cap = cap ? 2 * cap : 65536)))
			abort();
		got = fread(buf + len, 1, cap - len, fp);
		len += got;
	} while (got);
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, len); /* a fault aborts the run under the sanitizers */
	free(buf);
	printf("ok %d - %s\n", ++n, path);
	fflush(stdout);
	return 0;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int
main(int argc, char **argv)
{
	int i, j, k, bad = 0;

	for (i = 1; i < argc; i++) {
		struct dirent **ent;
		struct stat sb;

		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			if ((k = scandir(argv[i], &ent, NULL, by_name)) < 0)
				return 66;
			for (j = 0; j < k; j++) {
				char *p = dc_printf("%s/%s", argv[i], ent[j]->d_name);

				if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
					bad |= replay(p);
				free(p);
				free(ent[j]);
			}
			free(ent);
		} else
			bad |= replay(argv[i]);
	}
	return bad;
}
