/*
 * One file committed into a branch of a git repository, for dc-export --git-repo and dc anchor:
 * the file is written into the working tree, and the commit is built in memory from the
 * branch's tree with that one file replaced, so that nothing else in the working tree or the
 * index goes into it.  The commit's author is the city (mail.from, city.name).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/gitlib.h"

#include "core/dc.h"

static int
git_fail(struct dc *ctx, const char *what)
{
	const git_error *e = git_error_last();

	return dc_error(ctx, DC_EIO, "git: %s: %s", what, e && e->message ? e->message : "failed");
}

static int
mkdirs(const char *dir)
{
	char *p = dc_strdup(dir), *s;
	int rc = 0;

	for (s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0777) && errno != EEXIST)
				rc = -1;
			*s = '/';
		}
	if (mkdir(p, 0777) && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

/* libgit2 refuses angle brackets in a signature's name (the address is checked already) */
static void
drop_brackets(char *s)
{
	char *q = s;

	for (; *s; s++)
		if (*s != '<' && *s != '>')
			*q++ = *s;
	*q = '\0';
}

/* The commit's author: DC_GIT_AUTHOR_NAME and DC_GIT_AUTHOR_EMAIL, else mail.from (a mailbox,
 * "Stadt Musterstadt <noreply@musterstadt.example>" or a bare address) and city.name. */
static int
signature(struct dc *ctx, git_signature **sig)
{
	char *from = NULL, *name = NULL, *addr = NULL, *city = NULL;
	const char *s;
	int rc = 0;

	from =
	    (s = getenv("DC_GIT_AUTHOR_EMAIL")) && *s ? dc_strdup(s) : dc_setting(ctx, "mail.from");
	if (from && *from && dc_mail_parse(from, &name, &addr) < 0) {
		rc = dc_error(ctx, DC_ESCHEMA,
		              "%s '%s' is not a mailbox (addr@example or Name <addr@example>)",
		              s && *s ? "DC_GIT_AUTHOR_EMAIL" : "setting 'mail.from':", from);
		goto done;
	}
	if ((s = getenv("DC_GIT_AUTHOR_NAME")) && *s) {
		free(name);
		name = dc_strdup(s);
	} else if (!name)
		name = (city = dc_setting(ctx, "city.name")) && *city ? dc_strdup(city) : NULL;
	if (name)
		drop_brackets(name);
	if (git_signature_new(sig, name && *name ? name : "dcity", addr ? addr : "dcity@localhost",
	                      dc_now(ctx), 0))
		rc = git_fail(ctx, "signature");
done:
	free(from);
	free(name);
	free(addr);
	free(city);
	return rc;
}

/* Open REPO (a working tree); create it when CREATE says so and it is not there. */
static int
open_repo(struct dc *ctx, const char *dir, int create, git_repository **repo)
{
	struct stat sb;

	if (!git_repository_open_ext(repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL)) {
		if (!git_repository_is_bare(*repo))
			return 0;
		return dc_error(ctx, DC_EUSAGE, "'%s' is a bare repository", dir);
	}
	if (!create)
		return dc_error(ctx, DC_ENOINPUT, "'%s' is not a git repository%s", dir,
		                stat(dir, &sb) ? " (it does not exist)" : "");
	if (mkdirs(dir))
		return dc_error(ctx, DC_ECANTCREAT, "cannot create '%s': %s", dir, strerror(errno));
	if (git_repository_init(repo, dir, 0))
		return git_fail(ctx, dir);
	return 0;
}

/* The branch's full name (BRANCH, or the one HEAD points to) and its commit, if it has one. */
static int
branch(struct dc *ctx, git_repository *repo, const char *name, char **refname, int *on_head,
       git_commit **commit)
{
	git_reference *head = NULL, *ref = NULL;
	const char *s;
	int rc = 0;

	*refname = NULL;
	*commit = NULL;
	if (git_reference_lookup(&head, repo, "HEAD"))
		return git_fail(ctx, "HEAD");
	s = git_reference_type(head) == GIT_REFERENCE_SYMBOLIC ? git_reference_symbolic_target(head)
	                                                       : NULL;
	*refname = name ? dc_printf("refs/heads/%s", name) : dc_strdup(s);
	if (!*refname || git_reference_is_valid_name(*refname) != 1) {
		rc = dc_error(ctx, DC_EUSAGE, "--git-branch: not a valid branch name");
		goto done;
	}
	*on_head = s && !strcmp(s, *refname);
	if (!git_reference_lookup(&ref, repo, *refname) &&
	    git_commit_lookup(commit, repo, git_reference_target(ref)))
		rc = git_fail(ctx, *refname);
done:
	git_reference_free(ref);
	git_reference_free(head);
	return rc;
}

int
dc_git_commit(struct dc *ctx, struct dc_git *g, dc_git_writer write, void *arg)
{
	git_repository *repo = NULL;
	git_commit *parent = NULL;
	git_tree *ptree = NULL, *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *old = NULL;
	git_index *idx = NULL, *wi = NULL;
	git_signature *sig = NULL;
	git_oid blob, tid, cid;
	git_index_entry e;
	char *full = NULL, *dir = NULL, *refname = NULL, *msg = NULL;
	int rc = 0, on_head = 0;

	g->commit[0] = '\0';
	g->changed = 0;
	if (*g->path == '/' || strstr(g->path, "..") || !*g->path)
		return dc_error(ctx, DC_EUSAGE,
		                "--git-path: '%s' must be relative inside the repository", g->path);
	git_libgit2_init();
	if ((rc = open_repo(ctx, g->repo, 1, &repo)) ||
	    (rc = branch(ctx, repo, g->branch, &refname, &on_head, &parent)))
		goto done;
	if (parent && git_commit_tree(&ptree, parent)) {
		rc = git_fail(ctx, refname);
		goto done;
	}
	if (ptree && !git_tree_entry_bypath(&te, ptree, g->path) &&
	    git_tree_entry_type(te) == GIT_OBJECT_BLOB &&
	    git_blob_lookup(&old, repo, git_tree_entry_id(te))) {
		rc = git_fail(ctx, g->path);
		goto done;
	}
	/* the file goes to the working tree, and from there into a blob */
	full = dc_printf("%s/%s", git_repository_workdir(repo), g->path);
	dir = dc_strdup(full);
	*strrchr(dir, '/') = '\0';
	if (mkdirs(dir)) {
		rc = dc_error(ctx, DC_ECANTCREAT, "cannot create '%s': %s", dir, strerror(errno));
		goto done;
	}
	if ((rc = write(ctx, arg, full, old ? git_blob_rawcontent(old) : NULL,
	                old ? (size_t)git_blob_rawsize(old) : 0)))
		goto done;
	if (git_blob_create_from_disk(&blob, repo, full)) {
		rc = git_fail(ctx, g->path);
		goto done;
	}
	if (te && !git_oid_cmp(git_tree_entry_id(te), &blob)) {
		git_oid_tostr(g->commit, sizeof g->commit, git_commit_id(parent));
		goto done;
	}
	/* a new tree: the parent's with the one file replaced, built in memory */
	memset(&e, 0, sizeof e);
	e.mode = GIT_FILEMODE_BLOB;
	e.id = blob;
	e.path = g->path;
	if (git_index_new(&idx) || (ptree && git_index_read_tree(idx, ptree)) ||
	    git_index_add(idx, &e) || git_index_write_tree_to(&tid, idx, repo) ||
	    git_tree_lookup(&tree, repo, &tid)) {
		rc = git_fail(ctx, "tree");
		goto done;
	}
	if ((rc = signature(ctx, &sig)))
		goto done;
	msg = dc_printf("%s\n", g->message);
	if (git_commit_create(&cid, repo, refname, sig, sig, NULL, msg, tree, parent ? 1 : 0,
	                      (const git_commit **)&parent)) {
		rc = git_fail(ctx, "commit");
		goto done;
	}
	git_oid_tostr(g->commit, sizeof g->commit, &cid);
	g->changed = 1;
	/* keep `git status` clean when the branch is the checked-out one */
	if (on_head && !git_repository_index(&wi, repo)) {
		if (git_index_add_bypath(wi, g->path) || git_index_write(wi))
			dc_warn(ctx, "git: could not update the index of '%s'", g->repo);
	}
done:
	git_signature_free(sig);
	git_index_free(wi);
	git_index_free(idx);
	git_blob_free(old);
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_tree_free(ptree);
	git_commit_free(parent);
	git_repository_free(repo);
	git_libgit2_shutdown();
	free(msg);
	free(refname);
	free(dir);
	free(full);
	return rc;
}

int
dc_git_read(struct dc *ctx, const char *dir, const char *path, char **text, size_t *len)
{
	git_repository *repo = NULL;
	git_commit *head = NULL;
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	char *refname = NULL;
	int rc, on_head;

	*text = NULL;
	*len = 0;
	git_libgit2_init();
	if ((rc = open_repo(ctx, dir, 0, &repo)) ||
	    (rc = branch(ctx, repo, NULL, &refname, &on_head, &head)))
		goto done;
	if (!head || git_commit_tree(&tree, head) || git_tree_entry_bypath(&te, tree, path) ||
	    git_tree_entry_type(te) != GIT_OBJECT_BLOB) {
		rc = dc_error(ctx, DC_ENOINPUT, "'%s' has no file '%s' in %s", dir, path,
		              refname ? refname : "HEAD");
		goto done;
	}
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(te))) {
		rc = git_fail(ctx, path);
		goto done;
	}
	*len = (size_t)git_blob_rawsize(blob);
	if (!(*text = malloc(*len + 1)))
		abort();
	memcpy(*text, git_blob_rawcontent(blob), *len);
	(*text)[*len] = '\0';
done:
	git_blob_free(blob);
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_commit_free(head);
	git_repository_free(repo);
	git_libgit2_shutdown();
	free(refname);
	return rc;
}
