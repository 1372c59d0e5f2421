/* The outside validator of e-invoices (einvoice.validator) and the SVRL it answers with. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/xmllib.h"

#include "einvoice/validate.h"

#define SVRL_NS "http://purl.oclc.org/dsdl/svrl"
/* An answer larger than this is no report of one invoice: the validator is stopped there
 * (its write fails), rather than filling memory. */
#define ANSWER_MAX (64L << 20)
#define TIMEOUT_DEFAULT 120

/* ---- reading SVRL ----------------------------------------------------------------------- */

struct svrl {
	struct dc *ctx;
	const char *what;
	struct dc_einv_finding *f;
	size_t n, cap;
	int xerr;
	long xline;
	char xmsg[256];
};

static void
on_xml_error(void *data, xmlErrorPtr e)
{
	struct svrl *s = data;
	size_t n;

	if (s->xerr || e->level < XML_ERR_ERROR)
		return;
	s->xerr = 1;
	s->xline = e->line;
	snprintf(s->xmsg, sizeof s->xmsg, "%s", e->message ? e->message : "parse error");
	n = strlen(s->xmsg);
	while (n > 0 && (s->xmsg[n - 1] == '\n' || s->xmsg[n - 1] == ' '))
		s->xmsg[--n] = '\0';
}

/* S with its white space collapsed to single spaces and none at either end; owned. */
static char *
collapse(const char *s)
{
	char *r = malloc(strlen(s ? s : "") + 1), *p = r;

	if (!r)
		return NULL;
	for (; s && *s; s++) {
		if (strchr(" \t\r\n", *s)) {
			if (p > r && p[-1] != ' ')
				*p++ = ' ';
		} else {
			*p++ = *s;
		}
	}
	if (p > r && p[-1] == ' ')
		p--;
	*p = '\0';
	return r;
}

/* The flag as dcity keeps it: a failed assertion is fatal unless it says it is less, a
 * report is information unless it says it is more (ISO Schematron leaves flags to the
 * schema; EN 16931 and XRechnung use fatal, warning and information). */
static const char *
flag_of(const char *given, int report)
{
	if (given && (!strcmp(given, "warning") || !strcmp(given, "warn")))
		return "warning";
	if (given && (!strcmp(given, "information") || !strcmp(given, "info")))
		return "information";
	if (report && (!given || !*given))
		return "information";
	return "fatal";
}

static char *
attr(xmlTextReaderPtr r, const char *name)
{
	xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)name);
	char *s = v ? dc_strdup((const char *)v) : NULL;

	xmlFree(v);
	return s;
}

/* The element the reader is on: failed-assert or successful-report, a new finding. */
static int
finding_start(struct svrl *s, xmlTextReaderPtr r, int report)
{
	struct dc_einv_finding *f;
	char *flag;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct dc_einv_finding *nf = realloc(s->f, cap * sizeof *nf);

		if (!nf)
			return dc_error(s->ctx, DC_EINTERNAL, "out of memory");
		s->f = nf;
		s->cap = cap;
	}
	f = &s->f[s->n++];
	flag = attr(r, "flag");
	f->rule = attr(r, "id");
	f->flag = dc_strdup(flag_of(flag, report));
	f->text = dc_strdup("");
	f->location = attr(r, "location");
	free(flag);
	return 0;
}

static int
svrl_node(struct svrl *s, xmlTextReaderPtr r, int *in_finding)
{
	int type = xmlTextReaderNodeType(r), depth = xmlTextReaderDepth(r);
	const char *name = (const char *)xmlTextReaderConstLocalName(r);
	const char *ns = (const char *)xmlTextReaderConstNamespaceUri(r);
	int svrl = ns && !strcmp(ns, SVRL_NS), rc, report;

	/* SVRL needs no DTD: a DOCTYPE or an entity can only be an attack on the parser */
	if (type == XML_READER_TYPE_DOCUMENT_TYPE || type == XML_READER_TYPE_ENTITY ||
	    type == XML_READER_TYPE_ENTITY_REFERENCE)
		return dc_error(s->ctx, DC_EDATA, "%s:%d: DOCTYPE and entities are not accepted",
		                s->what, xmlTextReaderGetParserLineNumber(r));
	if (type == XML_READER_TYPE_END_ELEMENT && svrl &&
	    (!strcmp(name, "failed-assert") || !strcmp(name, "successful-report")))
		*in_finding = 0;
	if (type != XML_READER_TYPE_ELEMENT)
		return 0;
	if (depth == 0 && (!svrl || strcmp(name, "schematron-output")))
		return dc_error(s->ctx, DC_EDATA,
		                "%s: not SVRL (the root is '%s', not "
		                "svrl:schematron-output)",
		                s->what, (const char *)xmlTextReaderConstName(r));
	if (!svrl)
		return 0;
	report = !strcmp(name, "successful-report");
	if (report || !strcmp(name, "failed-assert")) {
		if ((rc = finding_start(s, r, report)))
			return rc;
		*in_finding = !xmlTextReaderIsEmptyElement(r);
	} else if (*in_finding && !strcmp(name, "text") && !*s->f[s->n - 1].text) {
		xmlChar *t = xmlTextReaderReadString(r);
		char *c = collapse((const char *)t);

		xmlFree(t);
		if (!c)
			return dc_error(s->ctx, DC_EINTERNAL, "out of memory");
		free(s->f[s->n - 1].text);
		s->f[s->n - 1].text = c;
	}
	return 0;
}

int
dc_einv_svrl_parse(struct dc *ctx, int fd, const char *what, struct dc_einv_finding **out,
                   size_t *n)
{
	struct svrl s = {ctx, what, NULL, 0, 0, 0, 0, ""};
	struct dc_xml_guard guard;
	xmlTextReaderPtr r;
	int rc = 0, ret, in_finding = 0, root = 0;

	*out = NULL;
	*n = 0;
	dc_xml_guard_init(&guard, ctx, what, fd);
	/* no entity substitution, no DTD loading, no network, no size limits lifted */
	r = xmlReaderForIO(dc_xml_guard_read, NULL, &guard, NULL, NULL, XML_PARSE_NONET);
	if (!r)
		return dc_error(ctx, DC_EINTERNAL, "%s: cannot create XML reader", what);
	xmlTextReaderSetStructuredErrorHandler(r, on_xml_error, &s);
	while ((ret = xmlTextReaderRead(r)) == 1 && !s.xerr) {
		root |= xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT;
		if ((rc = svrl_node(&s, r, &in_finding)))
			goto done;
	}
	if (guard.failed)
		rc = ctx->err;
	else if (!root) /* libxml2 calls empty input "extra content" */
		rc = dc_error(ctx, DC_EDATA, "%s: empty, no SVRL", what);
	else if (ret < 0 || s.xerr)
		rc = dc_error(ctx, DC_EDATA, "%s:%ld: %s", what, s.xline,
		              s.xerr ? s.xmsg : "not well-formed");
done:
	xmlFreeTextReader(r);
	if (rc) {
		dc_einv_findings_free(s.f, s.n);
		return rc;
	}
	*out = s.f;
	*n = s.n;
	return 0;
}

/* ---- running the validator -------------------------------------------------------------- */

/* The setting's words and PATH, for execv; NULL-terminated, *words owns the copy. */
static char **
command_argv(const char *cmd, const char *path, char **words)
{
	size_t n = 2;
	char **argv, *p;

	*words = dc_strdup(cmd);
	for (p = *words; *p; p++)
		n += *p == ' ';
	if (!(argv = calloc(n + 1, sizeof *argv)))
		return NULL;
	n = 0;
	for (p = strtok(*words, " "); p; p = strtok(NULL, " "))
		argv[n++] = p;
	argv[n] = (char *)path;
	return argv;
}

/* The last line of the validator's stderr (FD, LEN bytes), cut to fit a message; owned. */
static char *
last_line(int fd, off_t len)
{
	char buf[512], *end, *start;
	off_t from = len > (off_t)sizeof buf - 1 ? len - (off_t)sizeof buf + 1 : 0;
	ssize_t got = pread(fd, buf, sizeof buf - 1, from);

	if (got <= 0)
		return dc_strdup("");
	buf[got] = '\0';
	for (end = buf + got; end > buf && strchr("\n\r ", end[-1]); end--)
		;
	*end = '\0';
	start = strrchr(buf, '\n');
	return dc_printf(": %s", start ? start + 1 : buf);
}

static void
child(char **argv, int out, int err)
{
	struct rlimit lim = {ANSWER_MAX, ANSWER_MAX};
	int null = open("/dev/null", O_RDONLY);

	/* a process group of its own, so that the time limit stops what it started (a JVM) */
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	setrlimit(RLIMIT_FSIZE, &lim);
	/* the validator runs with the user's own group, never the setgid one (priv.c) */
	if (dc_priv_drop(1) < 0)
		_exit(126);
	execv(argv[0], argv);
	dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static double
seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Wait for PID at most LIMIT seconds: 1 with *status when it ended, 0 when it was stopped, -1
 * (errno set) when it cannot be waited for. */
static int
wait_limited(pid_t pid, long limit, int *status)
{
	const struct timespec tick = {0, 20 * 1000 * 1000};
	double end = seconds() + (double)limit;
	pid_t w;

	for (;;) {
		while ((w = waitpid(pid, status, WNOHANG)) < 0 && errno == EINTR)
			;
		if (w == pid)
			return 1;
		if (w < 0)
			return -1;
		if (seconds() >= end)
			break;
		nanosleep(&tick, NULL);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

static long
timeout_setting(struct dc *ctx)
{
	char *v = dc_setting(ctx, "einvoice.validator_timeout"), *end = NULL;
	long t = v ? strtol(v, &end, 10) : 0;

	if (!v || *end || t < 1)
		t = TIMEOUT_DEFAULT;
	free(v);
	return t;
}

int
dc_einv_validate(struct dc *ctx, const char *path, struct dc_einv_finding **out, size_t *n)
{
	char *cmd = dc_setting(ctx, "einvoice.validator"), *words = NULL, *arg = NULL, *why = NULL;
	char **argv = NULL, *what = NULL, *line = NULL;
	int out_fd = -1, err_fd = -1, status = 0, rc = 0, waited;
	long limit = timeout_setting(ctx);
	struct stat sb;
	pid_t pid;

	*out = NULL;
	*n = 0;
	if (!cmd || !*cmd)
		goto done;
	/* a file named "-x.xml" must not be taken for an option */
	arg = *path == '-' ? dc_printf("./%s", path) : dc_strdup(path);
	if (!(argv = command_argv(cmd, arg, &words))) {
		rc = dc_error(ctx, DC_EINTERNAL, "out of memory");
		goto done;
	}
	out_fd = memfd_create("einvoice-svrl", MFD_CLOEXEC);
	err_fd = memfd_create("einvoice-stderr", MFD_CLOEXEC);
	if (out_fd < 0 || err_fd < 0) {
		rc = dc_error(ctx, DC_EINTERNAL, "memfd_create: %s", strerror(errno));
		goto done;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		rc = dc_error(ctx, DC_EINTERNAL, "fork: %s", strerror(errno));
		goto done;
	}
	if (pid == 0)
		child(argv, out_fd, err_fd);
	setpgid(pid, pid);
	if ((waited = wait_limited(pid, limit, &status)) < 0)
		why = dc_printf("cannot be waited for: %s", strerror(errno));
	else if (!waited)
		why = dc_printf("took longer than %ld s (einvoice.validator_timeout); stopped",
		                limit);
	else if (WIFSIGNALED(status))
		why = dc_printf("was killed by signal %d", WTERMSIG(status));
	else if (WEXITSTATUS(status) > 1)
		why = dc_printf("exited with status %d", WEXITSTATUS(status));
	line = fstat(err_fd, &sb) ? dc_strdup("") : last_line(err_fd, sb.st_size);
	if (why) {
		rc = dc_error(ctx, DC_EDB, "einvoice.validator '%s' on '%s' %s%s", cmd, path, why,
		              line);
		goto done;
	}
	what = dc_printf("SVRL of einvoice.validator '%s' on '%s'", cmd, path);
	if (lseek(out_fd, 0, SEEK_SET) < 0)
		rc = dc_error(ctx, DC_EINTERNAL, "%s: %s", what, strerror(errno));
	else if ((rc = dc_einv_svrl_parse(ctx, out_fd, what, out, n)) == DC_EDATA) {
		/* an answer that is not a report is the validator's failure, not the invoice's */
		char msg[sizeof ctx->errmsg];

		snprintf(msg, sizeof msg, "%s", ctx->errmsg);
		dc_error_clear(ctx);
		rc = dc_error(ctx, DC_EDB, "%s (it exited with status %d%s)", msg,
		              WEXITSTATUS(status), line);
	}
done:
	if (out_fd >= 0)
		close(out_fd);
	if (err_fd >= 0)
		close(err_fd);
	free(argv);
	free(words);
	free(arg);
	free(why);
	free(what);
	free(line);
	free(cmd);
	return rc;
}

/* ---- the findings ----------------------------------------------------------------------- */

int
dc_einv_any_fatal(const struct dc_einv_finding *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(f[i].flag, "fatal"))
			return 1;
	return 0;
}

static json_object *
str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

json_object *
dc_einv_findings_json(const struct dc_einv_finding *f, size_t n)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "rule", str_or_null(f[i].rule));
		json_object_object_add(o, "flag", str_or_null(f[i].flag));
		json_object_object_add(o, "text", str_or_null(f[i].text));
		json_object_object_add(o, "location", str_or_null(f[i].location));
		json_object_array_add(a, o);
	}
	return a;
}

void
dc_einv_findings_free(struct dc_einv_finding *f, size_t n)
{
	size_t i;

	for (i = 0; f && i < n; i++) {
		free(f[i].rule);
		free(f[i].flag);
		free(f[i].text);
		free(f[i].location);
	}
	free(f);
}
