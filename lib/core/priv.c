/*
 * The setgid install (dcity(7), SECURITY CONSIDERATIONS): the commands are setgid to the
 * group that owns the database directory, and they are the only door to the data, as
 * crontab(1) is to the crontabs and postdrop(1) to Postfix's queue.
 *
 * The group is worn only where it is needed.  dc_priv_init() puts it down at once (the saved
 * set-group-ID keeps it), and a thin SQLite VFS over the default one picks it up around the
 * calls that reach the configured database's own files by name (open, delete, the -shm file,
 * the directory sync, SQLite's temporary files) and nothing else.  So every file a user names
 * (input files, -o, --rejects, --maildir, --git-repo, spools, backups) is opened with the
 * user's own rights, and no command a dcity program starts (--sendmail, --exec, man, dc-NOUN)
 * can have the group: dc_priv_drop() gives it up for good before exec.
 *
 * This is process-wide state, the one exception to "nothing global besides the context":
 * credentials and SQLite's VFS list are process-wide themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/dc.h"
#include "core/pgdb.h"

#ifndef DC_CONF_PATH /* set by the Makefile from SYSCONFDIR */
#define DC_CONF_PATH "/etc/dcity/dcity.conf"
#endif
/* Commands started by a setgid dcity program find programs here, not in the caller's PATH. */
#define SAFE_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static struct {
	int init;         /* dc_priv_init() ran */
	int active;       /* running setgid: the rules of the system install apply */
	gid_t rgid, pgid; /* the real group; the group the binary is setgid to */
	int up;           /* the effective group is pgid right now */
	const char *prog;
	char *db;        /* the database, from the configuration file */
	char *password;  /* a PostgreSQL database's password, from the file it names */
	char *dbfull;    /* the same as SQLite's full path name */
	int warned_db;   /* --db ignored, said once */
	int actor_done;  /* dc_priv_actor() decided who acts */
	sqlite3_vfs vfs; /* the shim, over base (the default VFS, "unix") */
	sqlite3_vfs *base;
} priv;

/* ---- wearing the group ------------------------------------------------------------------ */

/* Put the group on for one call about one of the database's files; 1 if this call did. */
static int
up(int want)
{
	if (!want || priv.up || priv.pgid == priv.rgid)
		return 0;
	if (setegid(priv.pgid) < 0)
		return 0; /* the call then fails with EACCES, and SQLite says so */
	priv.up = 1;
	return 1;
}

static void
down(int was)
{
	int e = errno; /* SQLite reads errno after a failed call */

	if (!was)
		return;
	if (setegid(priv.rgid) < 0)
		abort(); /* never go on with the group by accident */
	priv.up = 0;
	errno = e;
}

/* One of the database's own files: the database, its WAL or its rollback journal, by the full
 * name SQLite gave the configured path (the -shm file is opened inside f_shmmap). */
static int
db_file(const char *name)
{
	size_t n = priv.dbfull ? strlen(priv.dbfull) : 0;

	return n && name && !strncmp(name, priv.dbfull, n) &&
	       (!name[n] || !strcmp(name + n, "-wal") || !strcmp(name + n, "-journal"));
}

/* ---- the VFS shim ----------------------------------------------------------------------- */

struct pfile {
	sqlite3_file base;
	sqlite3_file *real; /* the base VFS's file, in the memory right after this one */
	int mine;           /* one of the database's own files, or an SQLite temporary file */
};

#define REAL(f) (((struct pfile *)(f))->real)
#define RM(f) (REAL(f)->pMethods)
#define MINE(f) (((struct pfile *)(f))->mine)

/* Calls on the open descriptor need no group: they pass straight through. */
static int
f_read(sqlite3_file *f, void *b, int n, long long off)
{
	return RM(f)->xRead(REAL(f), b, n, off);
}
static int
f_write(sqlite3_file *f, const void *b, int n, long long off)
{
	return RM(f)->xWrite(REAL(f), b, n, off);
}
static int
f_truncate(sqlite3_file *f, long long size)
{
	return RM(f)->xTruncate(REAL(f), size);
}
static int
f_size(sqlite3_file *f, long long *size)
{
	return RM(f)->xFileSize(REAL(f), size);
}
static int
f_lock(sqlite3_file *f, int l)
{
	return RM(f)->xLock(REAL(f), l);
}
static int
f_unlock(sqlite3_file *f, int l)
{
	return RM(f)->xUnlock(REAL(f), l);
}
static int
f_reserved(sqlite3_file *f, int *out)
{
	return RM(f)->xCheckReservedLock(REAL(f), out);
}
static int
f_sector(sqlite3_file *f)
{
	return RM(f)->xSectorSize(REAL(f));
}
static int
f_devchar(sqlite3_file *f)
{
	return RM(f)->xDeviceCharacteristics(REAL(f));
}
static int
f_shmlock(sqlite3_file *f, int off, int n, int flags)
{
	return RM(f)->xShmLock(REAL(f), off, n, flags);
}
static void
f_shmbarrier(sqlite3_file *f)
{
	RM(f)->xShmBarrier(REAL(f));
}
static int
f_fetch(sqlite3_file *f, long long off, int n, void **pp)
{
	return RM(f)->xFetch(REAL(f), off, n, pp);
}
static int
f_unfetch(sqlite3_file *f, long long off, void *p)
{
	return RM(f)->xUnfetch(REAL(f), off, p);
}

/* Calls that may reach the file or its directory by name wear the group: close, sync (opens
 * the directory), the file control SQLITE_FCNTL_HAS_MOVED (stats the path; the others work on
 * the descriptor or on nothing), and the -shm file. */
static int
f_close(sqlite3_file *f)
{
	int was = up(MINE(f)), rc = RM(f)->xClose(REAL(f));

	down(was);
	return rc;
}
static int
f_sync(sqlite3_file *f, int flags)
{
	int was = up(MINE(f)), rc = RM(f)->xSync(REAL(f), flags);

	down(was);
	return rc;
}
static int
f_fcntl(sqlite3_file *f, int op, void *arg)
{
	int was = up(MINE(f) && op == SQLITE_FCNTL_HAS_MOVED);
	int rc = RM(f)->xFileControl(REAL(f), op, arg);

	down(was);
	return rc;
}
static int
f_shmmap(sqlite3_file *f, int region, int size, int extend, void volatile **pp)
{
	int was = up(MINE(f)), rc = RM(f)->xShmMap(REAL(f), region, size, extend, pp);

	down(was);
	return rc;
}
static int
f_shmunmap(sqlite3_file *f, int del)
{
	int was = up(MINE(f)), rc = RM(f)->xShmUnmap(REAL(f), del);

	down(was);
	return rc;
}

static const sqlite3_io_methods methods = {
    3,         f_close,      f_read,     f_write, f_truncate, f_sync,    f_size,
    f_lock,    f_unlock,     f_reserved, f_fcntl, f_sector,   f_devchar, f_shmmap,
    f_shmlock, f_shmbarrier, f_shmunmap, f_fetch, f_unfetch,
};

/* SQLite creates a database 0644 less the umask; the group must be able to write it, and the
 * -wal and -shm files copy its mode. */
static void
precreate(const char *name)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0660);

	if (fd >= 0) {
		fchmod(fd, 0660);
		close(fd);
	}
}

static int
v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *outflags)
{
	struct pfile *p = (struct pfile *)f;
	int was, rc;

	p->real = (sqlite3_file *)&p[1];
	/* no name: a temporary file, which goes beside the database (sqlite3_temp_directory) */
	p->mine = !name || db_file(name);
	was = up(p->mine);
	if (name && p->mine && (flags & SQLITE_OPEN_MAIN_DB) && (flags & SQLITE_OPEN_CREATE))
		precreate(name);
	rc = priv.base->xOpen(priv.base, name, p->real, flags, outflags);
	down(was);
	p->base.pMethods = p->real->pMethods ? &methods : NULL;
	return rc;
}

static int
v_delete(sqlite3_vfs *vfs, const char *name, int syncdir)
{
	int was = up(db_file(name)), rc = priv.base->xDelete(priv.base, name, syncdir);

	down(was);
	return rc;
}

static int
v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	int was = up(db_file(name)), rc = priv.base->xAccess(priv.base, name, flags, out);

	down(was);
	return rc;
}

/* The configured path is resolved with the group (the directory is closed to others); the
 * result is how SQLite names the database's files from then on. */
static int
v_fullpath(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	int mine = !strcmp(name, priv.db);
	int was = up(mine), rc = priv.base->xFullPathname(priv.base, name, n, out);

	down(was);
	if (mine && (rc & 0xff) == SQLITE_OK) {
		free(priv.dbfull);
		priv.dbfull = dc_strdup(out);
	}
	return rc;
}

/* access(2) checks the real ids; SQLite's checks (is the temporary directory writable?) must
 * see the group while it is worn. */
static int
eff_access(const char *path, int mode)
{
	return faccessat(AT_FDCWD, path, mode, AT_EACCESS);
}

static int
install_vfs(void)
{
	char *dir, *slash;

	if (!(priv.base = sqlite3_vfs_find(NULL)))
		return -1;
	priv.vfs = *priv.base; /* the calls not overridden below, with the base's pAppData */
	priv.vfs.pNext = NULL;
	priv.vfs.zName = "dcity-setgid";
	priv.vfs.szOsFile = (int)sizeof(struct pfile) + priv.base->szOsFile;
	priv.vfs.xOpen = v_open;
	priv.vfs.xDelete = v_delete;
	priv.vfs.xAccess = v_access;
	priv.vfs.xFullPathname = v_fullpath;
	if (priv.base->iVersion >= 3 && priv.base->xSetSystemCall)
		priv.base->xSetSystemCall(priv.base, "access", (sqlite3_syscall_ptr)eff_access);
	/* SQLite's temporary files (sorts, the touched-records table) hold the city's data: beside
	 * the database, where only the group may look, not in /var/tmp. */
	dir = dc_strdup(priv.db);
	if ((slash = strrchr(dir, '/')))
		*(slash == dir ? slash + 1 : slash) = '\0';
	sqlite3_temp_directory = sqlite3_mprintf("%s", dir);
	free(dir);
	return sqlite3_vfs_register(&priv.vfs, 1) == SQLITE_OK ? 0 : -1;
}

/* ---- configuration and environment ------------------------------------------------------- */

static char *
trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	for (end = s + strlen(s); end > s && strchr(" \t\r", end[-1]); end--)
		;
	*end = '\0';
	return s;
}

/* The password of a PostgreSQL database from FILE, read with the group: the file must belong
 * to root, be no one else's to write and no other user's to read (root:dcity 0640), so that
 * only the commands can connect as the city's role (psql cannot, for the users). */
static int
read_password(const char *file, long line)
{
	char buf[1024];
	struct stat sb;
	FILE *fp;
	int rc = 0;

	if (!(fp = fopen(file, "re"))) {
		fprintf(stderr, "%s: %s:%ld: db_password_file: cannot read %s: %s\n", priv.prog,
		        DC_CONF_PATH, line, file, strerror(errno));
		return DC_ESCHEMA;
	}
	if (fstat(fileno(fp), &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_uid != 0 ||
	    (sb.st_mode & 027)) {
		fprintf(stderr, "%s: %s must belong to root, be writable by root only and readable"
		                " by no one but root and the group (0640)\n", priv.prog, file);
		rc = DC_ESCHEMA;
	} else {
		if (fgets(buf, sizeof buf, fp))
			buf[strcspn(buf, "\r\n")] = '\0';
		else
			buf[0] = '\0';
		if (!buf[0]) {
			fprintf(stderr, "%s: %s holds no password on its first line\n", priv.prog,
			        file);
			rc = DC_ESCHEMA;
		} else {
			free(priv.password);
			priv.password = dc_strdup(buf);
		}
	}
	explicit_bzero(buf, sizeof buf);
	fclose(fp);
	return rc;
}

/* DC_CONF_PATH: "db = PATH" (or a PostgreSQL URL) and "db_password_file = FILE" lines, #
 * comments.  It decides which database the group opens, so it must belong to root and be
 * writable by root only (as sudo insists on for sudoers). */
static int
read_conf(void)
{
	char line[4096];
	struct stat sb;
	long n = 0;
	FILE *fp;
	int rc = 0;

	if (!(fp = fopen(DC_CONF_PATH, "re"))) {
		fprintf(stderr,
		        "%s: cannot read %s: %s (the setgid install takes its database from "
		        "there; see dcity(7))\n",
		        priv.prog, DC_CONF_PATH, strerror(errno));
		return DC_ESCHEMA;
	}
	if (fstat(fileno(fp), &sb) < 0 || sb.st_uid != 0 || (sb.st_mode & 022)) {
		fprintf(stderr, "%s: %s must belong to root and be writable by root only\n",
		        priv.prog, DC_CONF_PATH);
		fclose(fp);
		return DC_ESCHEMA;
	}
	while (!rc && fgets(line, sizeof line, fp)) {
		char *key, *val;

		n++;
		line[strcspn(line, "#\n")] = '\0';
		if (!*(key = trim(line)))
			continue;
		if (!(val = strchr(key, '='))) {
			fprintf(stderr, "%s: %s:%ld: expected 'KEY = VALUE'\n", priv.prog,
			        DC_CONF_PATH, n);
			rc = DC_ESCHEMA;
			break;
		}
		*val++ = '\0';
		key = trim(key);
		val = trim(val);
		if (!strcmp(key, "db_password_file")) {
			if (val[0] != '/') {
				fprintf(stderr,
				        "%s: %s:%ld: db_password_file: not an absolute path\n",
				        priv.prog, DC_CONF_PATH, n);
				rc = DC_ESCHEMA;
			} else
				rc = read_password(val, n);
		} else if (strcmp(key, "db")) {
			fprintf(stderr,
			        "%s: %s:%ld: unknown key '%s' (known: db, db_password_file)\n",
			        priv.prog, DC_CONF_PATH, n, key);
			rc = DC_ESCHEMA;
		} else if (val[0] != '/' && !dc_db_is_pg(val)) {
			/* a URL is not printed: it may hold a password */
			fprintf(stderr,
			        "%s: %s:%ld: db: not an absolute path nor a PostgreSQL URL\n",
			        priv.prog, DC_CONF_PATH, n);
			rc = DC_ESCHEMA;
		} else {
			free(priv.db);
			priv.db = dc_strdup(val);
		}
	}
	fclose(fp);
	if (!rc && !priv.db) {
		fprintf(stderr, "%s: %s has no 'db = PATH' line\n", priv.prog, DC_CONF_PATH);
		rc = DC_ESCHEMA;
	}
	if (!rc && priv.password && !dc_db_is_pg(priv.db)) {
		fprintf(stderr, "%s: %s: db_password_file is for a PostgreSQL db\n", priv.prog,
		        DC_CONF_PATH);
		rc = DC_ESCHEMA;
	}
	if (!rc && priv.password)
		dc_pgdb_password(priv.db, priv.password);
	return rc;
}

static int
safe_var(const char *kv)
{
	static const char *const keep[] = {
	    "HOME", "LANG", "LANGUAGE", "TERM", "TZ", "COLUMNS", "NO_COLOR",
	    /* dcity's own; DC_USER is honoured for admins only (dc_priv_actor) */
	    "DC_USER", "DC_BUSY_TIMEOUT", "DC_GIT_AUTHOR_NAME", "DC_GIT_AUTHOR_EMAIL", NULL};
	size_t n = strcspn(kv, "=");
	const char *const *k;

	if (!kv[n])
		return 0;
	if (!strncmp(kv, "LC_", 3))
		return 1;
	for (k = keep; *k; k++)
		if (strlen(*k) == n && !strncmp(kv, *k, n))
			return 1;
	return 0;
}

/* Keep a short list of harmless variables; everything else goes: LD_*, IFS, ENV, BASH_ENV,
 * TMPDIR, SQLITE_TMPDIR, GIT_*, DC_DB, DC_NOW.  PATH is fixed; USER and LOGNAME name the real
 * user.  A command started later inherits only this. */
static void
clean_env(void)
{
	extern char **environ;
	struct passwd *pw = getpwuid(getuid());
	char **kept, **e;
	size_t n = 0, i;

	for (e = environ; e && *e; e++)
		n++;
	if (!(kept = calloc(n + 1, sizeof *kept)))
		abort();
	for (n = 0, e = environ; e && *e; e++)
		if (safe_var(*e))
			kept[n++] = dc_strdup(*e); /* lives on in the environment */
	clearenv();
	for (i = 0; i < n; i++)
		putenv(kept[i]);
	free(kept);
	setenv("PATH", SAFE_PATH, 1);
	if (pw) {
		setenv("USER", pw->pw_name, 1);
		setenv("LOGNAME", pw->pw_name, 1);
	}
}

static void
ignored(const char *what)
{
	if (!strcmp(what, "DC_NOW"))
		fprintf(stderr,
		        "%s: ignoring DC_NOW: the setgid install uses the real clock "
		        "(see dcity(7))\n",
		        priv.prog);
	else
		fprintf(stderr,
		        "%s: ignoring %s: the setgid install uses the database %s "
		        "(see dcity(7))\n",
		        priv.prog, what, dc_db_is_pg(priv.db) ? "its configuration names" : priv.db);
}

/* ---- the hooks ------------------------------------------------------------------------- */

int
dc_priv_init(const char *prog)
{
	const char *s;
	int rc;

	if (priv.init++)
		return 0;
	priv.prog = prog;
	priv.rgid = getgid();
	priv.pgid = getegid();
	priv.active = priv.pgid != priv.rgid || getauxval(AT_SECURE);
	if (!priv.active)
		return 0;
	/* the configuration (a fixed path) with the group, then everything else without it: it
	 * comes back only when a database file needs it (the saved set-group-ID keeps it) */
	if ((rc = read_conf()))
		return rc;
	if (setegid(priv.rgid) < 0 || getegid() != priv.rgid) {
		fprintf(stderr, "%s: cannot put down group %ld: %s\n", prog, (long)priv.pgid,
		        strerror(errno));
		return DC_EINTERNAL;
	}
	if ((s = getenv("DC_DB")) && *s)
		ignored("DC_DB");
	if ((s = getenv("DC_NOW")) && *s)
		ignored("DC_NOW");
	clean_env();
	/* a PostgreSQL city has no files here: the server checks the role and its password */
	if (!dc_db_is_pg(priv.db) && install_vfs() < 0) {
		fprintf(stderr, "%s: cannot set up SQLite for the setgid install\n", prog);
		return DC_EINTERNAL;
	}
	return 0;
}

int
dc_db_side_open(struct dc *ctx, const char *suffix, int *fd)
{
	char *path = dc_printf("%s%s", ctx->db_path, suffix);
	int was = up(priv.active && priv.db && !strcmp(ctx->db_path, priv.db)), e;

	/* created in the database's directory, whose set-group-ID bit gives it the group */
	if ((*fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0660)) >= 0 && was)
		fchmod(*fd, 0660);
	e = errno;
	down(was);
	if (*fd < 0)
		dc_error(ctx, DC_ECANTCREAT, "cannot create lock '%s': %s", path, strerror(e));
	free(path);
	return *fd < 0 ? ctx->err : 0;
}

const char *
dc_priv_db(const char *given)
{
	if (!priv.active)
		return NULL;
	if (given && !priv.warned_db++)
		ignored("--db");
	return priv.db;
}

/* Is LOGIN an admin, by the bootstrap rule of dc_whoami (no active admin: everyone is)? */
static int
is_admin(struct dc *ctx, const char *login, int *yes)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT EXISTS (SELECT 1 FROM staff WHERE login = ?1 AND"
	                     " role = 'admin' AND active = 1) OR NOT EXISTS (SELECT 1"
	                     " FROM staff WHERE role = 'admin' AND active = 1)")))
		return rc;
	dc_bind_text_ref(st, 1, login);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*yes = dc_col_int(st, 0);
		rc = 0;
	}
	dc_finish(ctx, st);
	return rc;
}

int
dc_priv_actor(struct dc *ctx)
{
	const char *asked = ctx->actor, *how = "--as";
	struct passwd *pw;
	char *actor;
	int rc = 0, admin = 0;

	if (!priv.active || priv.actor_done)
		return 0;
	if (!asked) {
		how = "DC_USER";
		if ((asked = getenv("DC_USER")) && !*asked)
			asked = NULL;
	}
	actor = (pw = getpwuid(getuid())) ? dc_strdup(pw->pw_name)
	                                  : dc_printf("uid%ld", (long)getuid());
	if (asked && strcmp(asked, actor)) {
		if ((rc = is_admin(ctx, actor, &admin))) {
			free(actor);
			return rc;
		}
		if (admin) {
			free(actor);
			actor = dc_strdup(asked);
		} else
			dc_warn(ctx,
			        "ignoring %s=%s: only an admin may act as another login; acting as "
			        "'%s'",
			        how, asked, actor);
	}
	free(ctx->actor);
	ctx->actor = actor;
	priv.actor_done = 1;
	return 0;
}

int
dc_priv_drop(int child)
{
	gid_t r, e, s;

	/* a started command gets no descriptor of ours (the database is O_CLOEXEC already) */
	if (child)
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	if (!priv.active)
		return 0;
	priv.up = 0;
	if (setresgid(priv.rgid, priv.rgid, priv.rgid) == 0 && getresgid(&r, &e, &s) == 0 &&
	    r == priv.rgid && e == r && s == r &&
	    /* and it must not come back (root may take any group anyway) */
	    (geteuid() == 0 || priv.pgid == priv.rgid || setegid(priv.pgid) < 0))
		return 0;
	fprintf(stderr, "%s: cannot give up group %ld for good; not running the command\n",
	        priv.prog, (long)priv.pgid);
	return -1;
}
