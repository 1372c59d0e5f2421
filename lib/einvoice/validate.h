/*
 * The full EN 16931 and XRechnung rule sets, through an outside validator (issue 17 item 4).
 *
 * The setting einvoice.validator names a command (dcity(7) "Settings"): an absolute path,
 * optionally followed by arguments separated by spaces.  It is run without a shell, with the
 * invoice file's path as its last argument, stdin from /dev/null, in a process group of its
 * own, with the user's own group (never the setgid one), for at most einvoice.validator_timeout
 * seconds.  It answers with one SVRL document (ISO Schematron's report) on stdout and exits 0
 * or 1 (scripts/einvoice-validate exits 1 when a fatal finding was reported); any other exit,
 * a signal, the time limit or an answer that is not SVRL is the validator's failure.
 *
 * Each svrl:failed-assert and svrl:successful-report of the answer is a finding.
 */
#ifndef DC_EINVOICE_VALIDATE_H
#define DC_EINVOICE_VALIDATE_H

#include "core/dc.h"

/* One finding; every member is owned (freed by dc_einv_findings_free). */
struct dc_einv_finding {
	char *rule;     /* the rule's id: "BR-CO-15", "BR-DE-15"; NULL when the SVRL names none */
	char *flag;     /* "fatal", "warning" or "information" (see dc_einv_svrl_parse) */
	char *text;     /* svrl:text, white space collapsed; "" when there is none */
	char *location; /* the XPath of the node it concerns; NULL when not given */
};

/*
 * Run the configured validator on PATH.  Not configured (einvoice.validator unset): 0 and no
 * findings.  0 with the findings in *out and *n (*out NULL when *n is 0), or DC_EDB (69, "a
 * service is unavailable") when the validator cannot be run, exits with another status than
 * 0 or 1, is killed, takes longer than einvoice.validator_timeout or answers without SVRL; the
 * message names the command and says why (with the last line it wrote to stderr).  Free the
 * findings with dc_einv_findings_free also after an error (they are NULL/0 then).
 */
int dc_einv_validate(struct dc *ctx, const char *path, struct dc_einv_finding **out, size_t *n);

/*
 * The findings of one SVRL document read from FD (from its current offset to the end), WHAT
 * naming it in messages.  A failed-assert's flag is "fatal" unless it is "warning"
 * or "information" ("warn"/"info" read as those); a successful-report's is "information" when
 * absent, else read the same way.  A document whose root is not svrl:schematron-output, that
 * is not well-formed or that has a DOCTYPE or entities is refused with DC_EDATA.
 */
int dc_einv_svrl_parse(struct dc *ctx, int fd, const char *what, struct dc_einv_finding **out,
                       size_t *n);

/* Whether any finding is fatal (booking is refused then: dc-order(1)). */
int dc_einv_any_fatal(const struct dc_einv_finding *f, size_t n);

/* The findings as a JSON array of {"rule","flag","text","location"} (absent ones null), for
 * storing with the invoice; a new reference, which the caller puts. */
json_object *dc_einv_findings_json(const struct dc_einv_finding *f, size_t n);

void dc_einv_findings_free(struct dc_einv_finding *f, size_t n);

#endif
