/*
 * dc-import: the cron batch jobs that feed catalogs in.  spool DIR imports the files dropped
 * into DIR/incoming/ and moves each to done/ or failed/ with a JSON log; git REPO imports the
 * catalog files that changed since the commit imported last.  Each file is one transaction.
 * A file lock keeps two runs apart: the second waits up to the busy timeout, then exits 75.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/gitlib.h"

#include "procure/procure.h"

/* Take an exclusive lock on PATH (opened here unless *fd is open already), waiting up to the
 * busy timeout; the fd holds it. */
static int
lock_file(struct dc *ctx, const char *path, int *fd)
{
	struct timespec pause = {0, 100 * 1000 * 1000};
	long waited = 0;

	if (*fd < 0 && (*fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0660)) < 0)
		return dc_error(ctx, DC_ECANTCREAT, "cannot create lock '%s': %s", path, strerror(errno));
	while (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK || waited >= ctx->busy_ms) {
			close(*fd);
			*fd = -1;
			return dc_error(ctx, DC_EBUSY, "another dc-import holds '%s'; retry later", path);
		}
		nanosleep(&pause, NULL);
		waited += 100;
	}
	return 0;
}

/* One dc-import git at a time per city.  On SQLite a lock file beside the database; a city
 * on PostgreSQL has no directory here: a session advisory lock (the key next to the
 * writers' lock, pgdb.c), held until the process ends. */
static int
import_lock(struct dc *ctx, int *fd)
{
	struct timespec pause = {0, 100 * 1000 * 1000};
	struct dc_stmt *st = NULL;
	long waited = 0;
	char *path;
	int rc, got = 0;

	if (!dc_db_is_pg(ctx->db_path)) {
		path = dc_printf("%s.import.lock", ctx->db_path);
		if (!(rc = dc_db_side_open(ctx, ".import.lock", fd)))
			rc = lock_file(ctx, path, fd);
		free(path);
		return rc;
	}
	while (!(rc = dc_prepare(ctx, &st, "SELECT pg_try_advisory_lock(1145260373)"))) {
		if ((rc = dc_step(ctx, st)) == DC_ROW)
			got = dc_col_int(st, 0), rc = 0;
		dc_finish(ctx, st);
		if (rc || got)
			break;
		if (waited >= ctx->busy_ms)
			return dc_error(ctx, DC_EBUSY, "another dc-import holds the city's import"
			                               " lock; retry later");
		nanosleep(&pause, NULL);
		waited += 100;
	}
	return rc;
}

static int
ensure_dir(struct dc *ctx, const char *path)
{
	struct stat sb;

	if (mkdir(path, 0770) < 0 && errno != EEXIST)
		return dc_error(ctx, DC_ECANTCREAT, "cannot create '%s': %s", path, strerror(errno));
	/* a symlink in its place would move the files wherever it points */
	if (lstat(path, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return dc_error(ctx, DC_ECANTCREAT, "'%s' is not a directory (symlinks are refused)",
		                path);
	return 0;
}

/* Write LOG (JSON) next to the moved file, atomically. */
static int
write_log(struct dc *ctx, const char *path, const char *json)
{
	char *tmp = dc_printf("%s.tmp", path);
	FILE *fp = NULL;
	int rc = 0, fd;

	/* a fresh file, never through a symlink planted under the name: that would write (and
	 * truncate) whatever file it points to with the job's rights */
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0660)) >= 0 &&
	    !(fp = fdopen(fd, "w")))
		close(fd);

	if (!fp || fprintf(fp, "%s\n", json) < 0 || fclose(fp) != 0 || rename(tmp, path) < 0)
		rc = dc_error(ctx, DC_EIO, "cannot write '%s': %s", path, strerror(errno));
	free(tmp);
	return rc;
}

/* Move incoming/NAME to DEST/NAME (never overwriting) and write DEST/NAME.log. */
static int
file_away(struct dc *ctx, const char *dir, const char *name, const char *dest, const char *log)
{
	char *from = dc_printf("%s/incoming/%s", dir, name), *to = dc_printf("%s/%s/%s", dir, dest, name);
	char *logpath;
	int n = 1, rc = 0;

	while (access(to, F_OK) == 0) {
		free(to);
		to = dc_printf("%s/%s/%s.%d", dir, dest, name, n++);
	}
	logpath = dc_printf("%s.log", to);
	if ((rc = write_log(ctx, logpath, log)) == 0 && rename(from, to) < 0)
		rc = dc_error(ctx, DC_EIO, "cannot move '%s' to '%s': %s", from, to, strerror(errno));
	free(from);
	free(to);
	free(logpath);
	return rc;
}

/* The log of catalog import ID: its row as one JSON object.  The import is committed; a
 * failure here is still the run's, so that the file is not filed as done without its log. */
static int
import_log(struct dc *ctx, long id, char **json)
{
	struct dc_stmt *st = NULL;
	int rc;

	*json = NULL;
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT json_object('id', id, 'vendor', vendor, 'source', source,"
	                     " 'sha256', sha256, 'format', format, 'mode', mode, 'added', added,"
	                     " 'changed', changed, 'unchanged', unchanged, 'discontinued',"
	                     " discontinued, 'rejected', rejected, 'commit', commit_id, 'at', at,"
	                     " 'status', 'done') FROM catalog_import WHERE id = ?1")))
		return rc;
	dc_bind_int(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*json = dc_strdup(dc_col_text(st, 0));
		rc = 0;
	} else if (!rc) {
		rc = dc_error(ctx, DC_EINTERNAL, "catalog import %ld has no row", id);
	}
	dc_finish(ctx, st);
	return rc;
}

static char *
error_log(struct dc *ctx, const char *name, int code)
{
	json_object *o = json_object_new_object();
	char at[21], *s;

	dc_fmt_time(dc_now(ctx), at);
	json_object_object_add(o, "file", json_object_new_string(name));
	json_object_object_add(o, "status", json_object_new_string("failed"));
	json_object_object_add(o, "exit", json_object_new_int(code));
	json_object_object_add(o, "error", json_object_new_string(ctx->errmsg));
	json_object_object_add(o, "at", json_object_new_string(at));
	s = dc_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                                    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
dc_procure_spool_each(struct dc *ctx, const char *dir, const char *roles, const char *what,
                      dc_spool_fn fn)
{
	char *incoming = dc_printf("%s/incoming", dir), *lock = dc_printf("%s/.lock", dir), *sub;
	char **names = NULL;
	struct dirent *de;
	DIR *d = NULL;
	int fd = -1, rc, i, n = 0, cap = 0, failed = 0;

	if ((rc = dc_require(ctx, roles, what)))
		goto done;
	if (!(d = opendir(incoming))) {
		rc = dc_error(ctx, DC_ENOINPUT, "cannot open '%s': %s", incoming, strerror(errno));
		goto done;
	}
	sub = dc_printf("%s/done", dir);
	rc = ensure_dir(ctx, sub);
	free(sub);
	sub = dc_printf("%s/failed", dir);
	rc = rc ? rc : ensure_dir(ctx, sub);
	free(sub);
	if (rc || (rc = lock_file(ctx, lock, &fd)))
		goto done;
	/* names are read under the lock, so a second run sees what the first left */
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue; /* still being written, or . and .. */
		if (n == cap && !(names = realloc(names, (size_t)(cap = cap ? 2 * cap : 16) * sizeof *names)))
			abort();
		names[n++] = dc_strdup(de->d_name);
	}
	if (n)
		qsort(names, (size_t)n, sizeof *names, by_name);
	for (i = 0; i < n; i++) {
		char *path = dc_printf("%s/%s", incoming, names[i]), *log = NULL, byfd[64];
		struct stat sb;
		int in;

		/*
		 * A symlink could make the job read any file the cron user can read.  The file is
		 * opened once without following links and checked on the descriptor; the job
		 * reads it through /proc/self/fd, so a name swapped for a link after the check
		 * changes nothing (O_NONBLOCK: a FIFO must not hang the job).
		 */
		in = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		free(path);
		if (in < 0 && errno == ENOENT)
			continue; /* taken by someone else meanwhile */
		if (in < 0 || fstat(in, &sb) < 0 || !S_ISREG(sb.st_mode))
			rc = dc_error(ctx, DC_EDATA, "%s: not a regular file (symlinks are refused)", names[i]);
		else {
			snprintf(byfd, sizeof byfd, "/proc/self/fd/%d", in);
			rc = fn(ctx, byfd, names[i], &log);
		}
		if (in >= 0)
			close(in);
		if (rc == DC_EBUSY || rc == DC_EIO) {
			free(log);
			break; /* leave the file for the next run */
		}
		if (rc) {
			dc_print_error(ctx);
			free(log);
			log = error_log(ctx, names[i], rc);
			ctx->err = 0;
			ctx->errmsg[0] = '\0';
			failed = failed ? failed : DC_EDATA;
			/* --dry-run checks the files but leaves them in incoming/ */
			rc = ctx->dry_run ? 0 : file_away(ctx, dir, names[i], "failed", log);
		} else if (!ctx->dry_run)
			rc = file_away(ctx, dir, names[i], "done", log ? log : "{}");
		free(log);
		if (rc)
			break;
	}
	if (!rc)
		rc = failed;
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d)
		closedir(d);
	if (fd >= 0)
		close(fd);
	free(incoming);
	free(lock);
	return rc;
}

static int
catalog_one(struct dc *ctx, const char *path, const char *name, char **log)
{
	struct dc_catalog_opts o = {NULL, NULL, NULL, NULL, name};
	long id = 0;
	int rc;

	if ((rc = dc_procure_catalog_import(ctx, path, &o, &id)))
		return rc;
	if (id)
		return import_log(ctx, id, log);
	*log = dc_strdup("{\"status\":\"unchanged\"}");
	return 0;
}

int
dc_procure_spool(struct dc *ctx, const char *dir)
{
	return dc_procure_spool_each(ctx, dir, "integrator buyer", "run catalog imports",
	                             catalog_one);
}

/* ---- git ---- */

static int
git_fail(struct dc *ctx, const char *what)
{
	const git_error *e = git_error_last();

	return dc_error(ctx, DC_EDATA, "%s: %s", what, e && e->message ? e->message : "libgit2 error");
}

static int
catalog_name(const char *path)
{
	static const char *const ext[] = {".csv", ".tsv", ".json", ".jsonl", ".xml", NULL};
	size_t n = strlen(path);

	for (const char *const *e = ext; *e; e++)
		if (n > strlen(*e) && !strcasecmp(path + n - strlen(*e), *e))
			return 1;
	return 0;
}

struct changed {
	char **paths; /* changed catalog files, relative to the repository; owned */
	int n, cap;
	const char *prefix;
};

static int
collect(const git_diff_delta *delta, float progress, void *arg)
{
	struct changed *c = arg;
	const char *p = delta->new_file.path;
	size_t pl = c->prefix ? strlen(c->prefix) : 0;

	(void)progress;
	if (delta->status != GIT_DELTA_ADDED && delta->status != GIT_DELTA_MODIFIED &&
	    delta->status != GIT_DELTA_RENAMED && delta->status != GIT_DELTA_COPIED)
		return 0;
	if (pl && (strncmp(p, c->prefix, pl) || (p[pl] != '/' && c->prefix[pl - 1] != '/')))
		return 0;
	if (!catalog_name(p))
		return 0;
	if (c->n == c->cap && !(c->paths = realloc(c->paths, (size_t)(c->cap = c->cap ? 2 * c->cap : 16) * sizeof *c->paths)))
		abort();
	c->paths[c->n++] = dc_strdup(p);
	return 0;
}

/* Write the blob at PATH in TREE to a temporary file for the importer. */
static int
blob_to_file(struct dc *ctx, git_repository *repo, git_tree *tree, const char *path, char **tmp)
{
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	const char *dir = getenv("TMPDIR");
	FILE *fp = NULL;
	int fd, rc = 0;

	*tmp = NULL;
	if (git_tree_entry_bypath(&te, tree, path) || git_blob_lookup(&blob, repo, git_tree_entry_id(te)))
		return git_fail(ctx, path);
	*tmp = dc_printf("%s/dc-git-XXXXXX", dir && *dir ? dir : "/tmp");
	if ((fd = mkstemp(*tmp)) < 0 || !(fp = fdopen(fd, "wb")))
		rc = dc_error(ctx, DC_ECANTCREAT, "cannot create '%s': %s", *tmp, strerror(errno));
	else if (fwrite(git_blob_rawcontent(blob), 1, (size_t)git_blob_rawsize(blob), fp) !=
	         (size_t)git_blob_rawsize(blob))
		rc = dc_error(ctx, DC_EIO, "cannot write '%s': %s", *tmp, strerror(errno));
	if (fp && fclose(fp) && !rc)
		rc = dc_error(ctx, DC_EIO, "cannot write '%s': %s", *tmp, strerror(errno));
	git_blob_free(blob);
	git_tree_entry_free(te);
	return rc;
}

int
dc_procure_git(struct dc *ctx, const char *repo_path, const struct dc_git_opts *o)
{
	git_repository *repo = NULL;
	git_object *obj = NULL;
	git_commit *commit = NULL, *last = NULL;
	git_tree *tree = NULL, *old = NULL;
	git_diff *diff = NULL;
	struct changed ch = {0};
	struct dc_stmt *st = NULL;
	char oid[GIT_OID_HEXSZ + 1], *source = NULL, *abs = NULL, at[21];
	int rc, i, fd = -1, failed = 0;

	git_libgit2_init();
	if ((rc = dc_require(ctx, "integrator buyer", "run catalog imports")))
		goto done;
	/* libgit2 refuses a repository its caller does not own (CVE-2022-24765: a .git planted in
	 * a shared directory above the one meant), and an integrator imports one that the vendor
	 * account owns.  The check is off for this one open: the repository is the one named,
	 * never searched for (NO_SEARCH); it is read with the caller's own rights (the group is
	 * down, priv.c); and nothing in it runs — no hooks, no filters (blobs are read raw), no
	 * command from its configuration.  dc-import(8) says so. */
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	i = git_repository_open_ext(&repo, repo_path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 1);
	if (i) {
		const git_error *e = git_error_last();

		rc = dc_error(ctx, DC_ENOINPUT, "'%s' is not a git repository (%s)", repo_path,
		              e && e->message ? e->message : "cannot open it");
		goto done;
	}
	if (git_revparse_single(&obj, repo, o->ref ? o->ref : "HEAD") ||
	    git_commit_lookup(&commit, repo, git_object_id(obj)) || git_commit_tree(&tree, commit)) {
		rc = git_fail(ctx, o->ref ? o->ref : "HEAD");
		goto done;
	}
	git_oid_tostr(oid, sizeof oid, git_commit_id(commit));
	abs = realpath(git_repository_path(repo), NULL);
	source = dc_printf("%s#%s:%s", abs ? abs : repo_path, o->ref ? o->ref : "HEAD",
	                   o->path ? o->path : "");
	/* the lock belongs to the database, in its directory, which a setgid install closes to
	 * the caller: opened with the group, like the database's own files */
	if ((rc = import_lock(ctx, &fd)))
		goto done;
	/* the commit imported last from here; nothing changed → nothing to do */
	if ((rc = dc_prepare(ctx, &st, "SELECT commit_id FROM import_source WHERE source = ?1")))
		goto done;
	dc_bind_text_ref(st, 1, source);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		git_oid loid;
		const char *l = dc_col_text(st, 0);

		rc = 0;
		if (!strcmp(l, oid))
			goto done;
		if (git_oid_fromstr(&loid, l) == 0 && git_commit_lookup(&last, repo, &loid) == 0)
			git_commit_tree(&old, last);
	}
	dc_finish(ctx, st);
	st = NULL;
	if (rc > 0)
		goto done;
	ch.prefix = o->path;
	if (git_diff_tree_to_tree(&diff, repo, old, tree, NULL) ||
	    git_diff_foreach(diff, collect, NULL, NULL, NULL, &ch)) {
		rc = git_fail(ctx, "diff");
		goto done;
	}
	for (i = 0; i < ch.n; i++) {
		char *tmp = NULL;
		/* the vendor comes from the file's own name, VENDOR--*.ext, or its BMEcat header */
		struct dc_catalog_opts co = {NULL, NULL, NULL, oid, ch.paths[i]};

		if (!(rc = blob_to_file(ctx, repo, tree, ch.paths[i], &tmp)))
			rc = dc_procure_catalog_import(ctx, tmp, &co, NULL);
		if (tmp) {
			unlink(tmp);
			free(tmp);
		}
		if (rc == DC_EBUSY || rc == DC_EIO)
			goto done;
		if (rc) {
			dc_error_prefix(ctx, "%s@%.12s", repo_path, oid);
			dc_print_error(ctx);
			ctx->err = 0;
			ctx->errmsg[0] = '\0';
			failed = DC_EDATA;
		}
	}
	rc = 0;
	/* only a run without failures (and not a dry run) moves on: a bad file is retried until a
	 * commit fixes it */
	if (!failed && !ctx->dry_run) {
		dc_fmt_time(dc_now(ctx), at);
		rc = dc_exec(ctx, "INSERT INTO import_source(source, commit_id, at) VALUES (?1, ?2, ?3)"
		                  " ON CONFLICT(source) DO UPDATE SET commit_id = excluded.commit_id,"
		                  " at = excluded.at",
		             3, source, oid, at);
	}
	if (!rc)
		rc = failed;
done:
	dc_finish(ctx, st);
	for (i = 0; i < ch.n; i++)
		free(ch.paths[i]);
	free(ch.paths);
	git_diff_free(diff);
	git_tree_free(old);
	git_tree_free(tree);
	git_commit_free(last);
	git_commit_free(commit);
	git_object_free(obj);
	git_repository_free(repo);
	git_libgit2_shutdown();
	if (fd >= 0)
		close(fd);
	free(abs);
	free(source);
	return rc;
}
