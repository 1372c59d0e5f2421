/*
 * Files written whole for the user: a ZIP built in memory (libzip), and any bytes written to
 * a file that appears complete or not at all.  The xdomea hand-over (dc-archive) and the
 * data-subject export (dc-subject export -o FILE.zip) use them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "core/dc.h"

/* The ZIP being built in memory, so that dc_file_tmp decides its file's mode. */
struct dc_zip {
	zip_t *z;
	zip_source_t *src; /* outlives z, which is closed before its bytes are read back */
};

int
dc_zip_new(struct dc *ctx, struct dc_zip **out)
{
	struct dc_zip *p = calloc(1, sizeof *p);
	zip_error_t ze;
	int rc = 0;

	if (!p)
		abort();
	zip_error_init(&ze);
	if (!(p->src = zip_source_buffer_create(NULL, 0, 0, &ze)) ||
	    !(p->z = zip_open_from_source(p->src, ZIP_TRUNCATE, &ze))) {
		rc = dc_error(ctx, DC_EINTERNAL, "libzip: %s", zip_error_strerror(&ze));
		dc_zip_free(p);
		p = NULL;
	} else
		zip_source_keep(p->src);
	zip_error_fini(&ze);
	*out = p;
	return rc;
}

int
dc_zip_add(struct dc *ctx, struct dc_zip *p, const char *name, const void *data, size_t len)
{
	zip_source_t *s;
	zip_int64_t i;
	char *copy = malloc(len ? len : 1);

	if (!copy)
		abort();
	memcpy(copy, data, len);
	if (!(s = zip_source_buffer(p->z, copy, len, 1))) {
		free(copy);
		return dc_error(ctx, DC_EINTERNAL, "libzip: %s", zip_strerror(p->z));
	}
	if ((i = zip_file_add(p->z, name, s, ZIP_FL_ENC_UTF_8)) < 0) {
		zip_source_free(s);
		return dc_error(ctx, DC_EINTERNAL, "libzip: %s", zip_strerror(p->z));
	}
	/* dated by the clock (DC_NOW), as what is in it */
	if (zip_file_set_mtime(p->z, (zip_uint64_t)i, dc_now(ctx), 0) < 0)
		return dc_error(ctx, DC_EINTERNAL, "libzip: %s", zip_strerror(p->z));
	return 0;
}

int
dc_zip_close(struct dc *ctx, struct dc_zip *p, char **data, size_t *len)
{
	zip_stat_t st;
	zip_int64_t n;

	*data = NULL;
	if (zip_close(p->z) < 0) {
		dc_error(ctx, DC_EINTERNAL, "libzip: %s", zip_strerror(p->z));
		zip_discard(p->z);
		p->z = NULL;
		return ctx->err;
	}
	p->z = NULL;
	if (zip_source_stat(p->src, &st) < 0 || zip_source_open(p->src) < 0)
		return dc_error(ctx, DC_EINTERNAL, "libzip: cannot read the ZIP back");
	if (!(*data = malloc(st.size ? st.size : 1)))
		abort();
	n = zip_source_read(p->src, *data, st.size);
	zip_source_close(p->src);
	if (n < 0 || (zip_uint64_t)n != st.size) {
		free(*data);
		*data = NULL;
		return dc_error(ctx, DC_EINTERNAL, "libzip: cannot read the ZIP back");
	}
	*len = st.size;
	return 0;
}

void
dc_zip_free(struct dc_zip *p)
{
	if (!p)
		return;
	if (p->z)
		zip_discard(p->z);
	if (p->src)
		zip_source_free(p->src);
	free(p);
}

int
dc_file_put(struct dc *ctx, const char *path, enum dc_privacy priv, const void *data,
            size_t len)
{
	const char *p = data;
	char *tmp = NULL;
	ssize_t n;
	int fd, rc, e = 0;

	if ((rc = dc_file_tmp(ctx, path, priv, &tmp, &fd)))
		return rc;
	while (len && (n = write(fd, p, len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			break;
		}
		p += n, len -= (size_t)n;
	}
	if (close(fd) < 0 && !e)
		e = errno;
	if (e)
		rc = dc_error(ctx, DC_EIO, "cannot write '%s': %s", path, strerror(e));
	else if (ctx->dry_run)
		dc_note(ctx, "dry run: %s not written", path);
	else if (rename(tmp, path) < 0)
		rc = dc_error(ctx, DC_ECANTCREAT, "cannot create '%s': %s", path, strerror(errno));
	else
		dc_note(ctx, "wrote %s", path);
	if (rc || ctx->dry_run)
		unlink(tmp);
	free(tmp);
	return rc;
}
