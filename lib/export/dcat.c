/*
 * The DCAT-AP.de catalog of the open data (dc-export dcat): one dcat:Dataset per public
 * dataset of dc-export, one dcat:Distribution per open format, each at the URL under
 * opendata.base_url where `dc-export DATASET -f FORMAT --git-repo` puts it by default.
 * Turtle, or RDF/XML through libxml2's writer.  Both come from one walk over the same
 * statements (struct rdf), so the two syntaxes cannot say different things.
 *
 * Dates come from the data (the latest change of each dataset), so an unchanged city gives a
 * byte-identical catalog and a second --git-repo export makes no commit.
 */
#include <stdlib.h>
#include <string.h>

#include "export/export.h"

#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_DCAT "http://www.w3.org/ns/dcat#"
#define NS_DCT "http://purl.org/dc/terms/"
#define NS_DCATDE "http://dcat-ap.de/def/dcatde/"
#define NS_FOAF "http://xmlns.com/foaf/0.1/"
#define NS_VCARD "http://www.w3.org/2006/vcard/ns#"
#define NS_XSD "http://www.w3.org/2001/XMLSchema#"
#define FILE_TYPE "http://publications.europa.eu/resource/authority/file-type/"
#define THEME "http://publications.europa.eu/resource/authority/data-theme/"
#define LANGUAGE "http://publications.europa.eu/resource/authority/language/DEU"
#define MEDIA_TYPE "https://www.iana.org/assignments/media-types/"
#define REGIONAL_KEY "http://dcat-ap.de/def/politicalGeocoding/regionalKey/"

struct dist {
	const char *format;   /* dc-export's -f */
	const char *label;    /* dct:title */
	const char *filetype; /* EU file-type authority */
	const char *media;    /* IANA media type */
};

/* The public datasets (dc-export(1), "Public formats and privacy"); MODIFIED is the latest
 * change of what the dataset publishes. */
static const struct set {
	const char *name, *title, *description, *theme, *modified;
	struct dist dist[3];
} sets[] = {
    {"cases",
     "Anliegen und Mängelmeldungen",
     "Die Anliegen und Mängelmeldungen an die Stadtverwaltung mit Kategorie, Ort, Status und "
     "öffentlicher Rückmeldung als Open311 GeoReport v2 Service Requests; ohne "
     "personenbezogene Daten.",
     "GOVE",
     "SELECT max(updated_at) FROM cases",
     {{"open311-json", "Open311 GeoReport v2 (JSON)", "JSON", "application/json"},
      {"open311-xml", "Open311 GeoReport v2 (XML)", "XML", "application/xml"}}},
    {"case-events",
     "Bearbeitungsverlauf der Anliegen",
     "Die öffentlichen Statusänderungen und Rückmeldungen zu den Anliegen als Open311-"
     "Ereignisse.",
     "GOVE",
     "SELECT max(at) FROM event WHERE entity = 'case' AND visibility = 'public'",
     {{"open311-json", "Open311-Ereignisse (JSON)", "JSON", "application/json"},
      {"open311-xml", "Open311-Ereignisse (XML)", "XML", "application/xml"}}},
    {"services",
     "Leistungen und Meldekategorien",
     "Die Kategorien, in denen Anliegen gemeldet und beantragt werden können, als Open311 "
     "GeoReport v2 Services.",
     "GOVE",
     "SELECT max(at) FROM event WHERE entity = 'service'",
     {{"open311-json", "Open311 GeoReport v2 (JSON)", "JSON", "application/json"},
      {"open311-xml", "Open311 GeoReport v2 (XML)", "XML", "application/xml"}}},
    {"orders",
     "Vergaben und Beschaffungen",
     "Die Aufträge der Stadtverwaltung ab ihrer Freigabe mit Verfahren, Bietern, "
     "Auftragnehmern und Beträgen im Open Contracting Data Standard (OCDS 1.1).",
     "GOVE",
     "SELECT max(updated_at) FROM purchase_order WHERE status <> 'draft'",
     {{"ocds", "OCDS 1.1 Release Package (JSON)", "JSON", "application/json"}}},
    {"posts",
     "Beiträge aus der Stadtgemeinschaft",
     "Die veröffentlichten Beiträge des Stadt-Feeds (Neuigkeiten, Veranstaltungen, "
     "Angebote, Fragen, Hinweise) mit dem Anzeigenamen der Verfasser.",
     "SOCI",
     "SELECT max(updated_at) FROM post WHERE status IN ('visible', 'locked')",
     {{"atom", "Atom-Feed", "ATOM", "application/atom+xml"},
      {"rss", "RSS-2.0-Feed", "RSS", "application/rss+xml"},
      {"jsonfeed", "JSON Feed 1.1", "JSON", "application/json"}}},
    {"events",
     "Veranstaltungen",
     "Die veröffentlichten Veranstaltungen des Stadt-Feeds als iCalendar-Kalender "
     "(RFC 5545).",
     "EDUC",
     "SELECT max(updated_at) FROM post WHERE kind = 'event' AND starts_at IS NOT NULL"
     " AND status IN ('visible', 'locked')",
     {{"ical", "iCalendar (RFC 5545)", "ICS", "text/calendar"}}},
    {"board",
     "Statusübersicht der Anliegen",
     "Die öffentliche Übersicht der Anliegen nach Stadtteil und Status mit den letzten "
     "öffentlichen Rückmeldungen als barrierefreie HTML-Seite.",
     "GOVE",
     "SELECT max(updated_at) FROM cases",
     {{"html", "HTML-Seite", "HTML", "text/html"}}},
};
#define NSETS (sizeof sets / sizeof *sets)

/* ---- the two syntaxes ---- */

struct rdf {
	xmlTextWriterPtr w; /* RDF/XML; NULL: Turtle on stdout */
	int ok;             /* no write error yet */
};

/* an IRI in Turtle: anything an IRIREF may not hold is percent-encoded */
static void
ttl_iri(const char *s)
{
	putchar('<');
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || strchr("<>\"{}|^`\\", *s))
			printf("%%%02X", (unsigned char)*s);
		else
			putchar(*s);
	putchar('>');
}

static void
ttl_string(const char *s)
{
	putchar('"');
	for (; *s; s++)
		switch (*s) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				printf("\\u%04X", (unsigned char)*s);
			else
				putchar(*s);
		}
	putchar('"');
}

/* XML 1.0 has no way to write C0 controls other than tab, newline and carriage return */
static char *
xml_text(const char *s)
{
	char *t = dc_strdup(s), *q = t;

	for (; *s; s++)
		if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n' || *s == '\r')
			*q++ = *s;
	*q = '\0';
	return t;
}

static void
x_ok(struct rdf *r, int rc)
{
	if (rc < 0)
		r->ok = 0;
}

/* "<iri> a type" / <type rdf:about="iri"> */
static void
node(struct rdf *r, const char *type, const char *iri)
{
	if (!r->w) {
		ttl_iri(iri);
		printf(" a %s", type);
		return;
	}
	x_ok(r, xmlTextWriterStartElement(r->w, BAD_CAST type));
	x_ok(r, xmlTextWriterWriteAttribute(r->w, BAD_CAST "rdf:about", BAD_CAST iri));
}

static void
node_end(struct rdf *r)
{
	if (!r->w)
		fputs(" .\n\n", stdout);
	else
		x_ok(r, xmlTextWriterEndElement(r->w));
}

/* a literal: in German (LANG "de"), an xsd:dateTime (DATETIME), or plain */
static void
literal(struct rdf *r, const char *prop, const char *v, const char *lang, int datetime)
{
	char *t;

	if (!r->w) {
		printf(" ;\n    %s ", prop);
		ttl_string(v);
		if (lang)
			printf("@%s", lang);
		if (datetime)
			fputs("^^xsd:dateTime", stdout);
		return;
	}
	t = xml_text(v);
	x_ok(r, xmlTextWriterStartElement(r->w, BAD_CAST prop));
	if (lang)
		x_ok(r, xmlTextWriterWriteAttribute(r->w, BAD_CAST "xml:lang", BAD_CAST lang));
	if (datetime)
		x_ok(r, xmlTextWriterWriteAttribute(r->w, BAD_CAST "rdf:datatype",
		                                    BAD_CAST NS_XSD "dateTime"));
	x_ok(r, xmlTextWriterWriteString(r->w, BAD_CAST t));
	x_ok(r, xmlTextWriterEndElement(r->w));
	free(t);
}

/* PREFIX and REST make the IRI, so that callers need not build it */
static void
resource(struct rdf *r, const char *prop, const char *prefix, const char *rest)
{
	char *iri = dc_printf("%s%s", prefix, rest ? rest : "");

	if (!r->w) {
		printf(" ;\n    %s ", prop);
		ttl_iri(iri);
	} else {
		x_ok(r, xmlTextWriterStartElement(r->w, BAD_CAST prop));
		x_ok(r, xmlTextWriterWriteAttribute(r->w, BAD_CAST "rdf:resource", BAD_CAST iri));
		x_ok(r, xmlTextWriterEndElement(r->w));
	}
	free(iri);
}

/* dcat:contactPoint [ a vcard:Organization ; vcard:fn NAME ; vcard:hasEmail <mailto:ADDR> ] */
static void
contact(struct rdf *r, const char *name, const char *addr)
{
	char *mailto = dc_printf("mailto:%s", addr), *t;

	if (!r->w) {
		fputs(" ;\n    dcat:contactPoint [ a vcard:Organization ;\n        vcard:fn ",
		      stdout);
		ttl_string(name);
		fputs(" ;\n        vcard:hasEmail ", stdout);
		ttl_iri(mailto);
		fputs(" ]", stdout);
	} else {
		t = xml_text(name);
		x_ok(r, xmlTextWriterStartElement(r->w, BAD_CAST "dcat:contactPoint"));
		x_ok(r, xmlTextWriterStartElement(r->w, BAD_CAST "vcard:Organization"));
		x_ok(r, xmlTextWriterWriteElement(r->w, BAD_CAST "vcard:fn", BAD_CAST t));
		x_ok(r, xmlTextWriterStartElement(r->w, BAD_CAST "vcard:hasEmail"));
		x_ok(r,
		     xmlTextWriterWriteAttribute(r->w, BAD_CAST "rdf:resource", BAD_CAST mailto));
		x_ok(r, xmlTextWriterEndElement(r->w));
		x_ok(r, xmlTextWriterEndElement(r->w));
		x_ok(r, xmlTextWriterEndElement(r->w));
		free(t);
	}
	free(mailto);
}

static const char *const prefixes[] = {
    "rdf",  NS_RDF,  "dcat",  NS_DCAT,  "dct", NS_DCT, "dcatde", NS_DCATDE,
    "foaf", NS_FOAF, "vcard", NS_VCARD, "xsd", NS_XSD, NULL,
};

static void
begin(struct rdf *r)
{
	const char *const *p;

	if (!r->w) {
		for (p = prefixes; *p; p += 2)
			printf("@prefix %s: <%s> .\n", p[0], p[1]);
		putchar('\n');
		return;
	}
	xmlTextWriterSetIndent(r->w, 1);
	x_ok(r, xmlTextWriterStartDocument(r->w, "1.0", "UTF-8", NULL));
	x_ok(r, xmlTextWriterStartElement(r->w, BAD_CAST "rdf:RDF"));
	for (p = prefixes; *p; p += 2) {
		char *a = dc_printf("xmlns:%s", p[0]);

		if (strcmp(p[0], "xsd"))
			x_ok(r, xmlTextWriterWriteAttribute(r->w, BAD_CAST a, BAD_CAST p[1]));
		free(a);
	}
}

static void
end(struct rdf *r)
{
	if (r->w) {
		x_ok(r, xmlTextWriterEndElement(r->w));
		x_ok(r, xmlTextWriterEndDocument(r->w));
	}
}

/* ---- the catalog ---- */

struct city {
	char *name, *url, *base, *ars, *contributor, *license, *contact;
	char modified[NSETS][21];
};

/* An http(s) IRI without the characters an IRI may not hold, or a usage error of SETTING. */
static int
iri_setting(struct dc *ctx, const char *key, char **v, const char *what)
{
	const char *s;

	*v = dc_setting(ctx, key);
	if (!*v || !**v)
		return dc_error(ctx, DC_ESCHEMA, "setting '%s' is unset: %s (dc config %s IRI)",
		                key, what, key);
	if (strncmp(*v, "http://", 7) && strncmp(*v, "https://", 8))
		return dc_error(ctx, DC_ESCHEMA, "setting '%s': '%s' is not an http(s) IRI", key,
		                *v);
	for (s = *v; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || strchr("<>\"{}|^`\\", *s))
			return dc_error(ctx, DC_ESCHEMA,
			                "setting '%s': '%s' is not an IRI (no spaces, controls or "
			                "<>\"{}|^`\\)",
			                key, *v);
	return 0;
}

static int
city_read(struct dc *ctx, struct city *c)
{
	char *from = NULL, *name = NULL, *addr = NULL, *reply = NULL;
	struct dc_stmt *st = NULL;
	size_t i, n;
	int rc;

	if ((rc = iri_setting(ctx, "opendata.base_url", &c->base,
	                      "the URL under which the open-data files are published")) ||
	    (rc = iri_setting(ctx, "opendata.contributor_id", &c->contributor,
	                      "the city's dcatde:contributorID")) ||
	    (rc = iri_setting(ctx, "opendata.license", &c->license, "the data's licence")) ||
	    (rc = iri_setting(ctx, "city.url", &c->url, "the city's web site")))
		return rc;
	n = strlen(c->base);
	while (n > 8 && c->base[n - 1] == '/')
		c->base[--n] = '\0';
	c->ars = dc_setting(ctx, "city.ars");
	if (!c->ars)
		return dc_error(ctx, DC_ESCHEMA,
		                "setting 'city.ars' is unset: the city's Regionalschlüssel (12 "
		                "digits; dc config city.ars ARS)");
	if (strlen(c->ars) != 12 || strspn(c->ars, "0123456789") != 12)
		return dc_error(ctx, DC_ESCHEMA,
		                "setting 'city.ars': '%s' is not a Regionalschlüssel (12 digits)",
		                c->ars);
	c->name = dc_setting(ctx, "city.name");
	if (!c->name)
		c->name = dc_strdup("dcity");
	/* the contact: the reply address if there is one, else the sender's */
	reply = dc_setting(ctx, "mail.reply_to");
	from = reply && *reply ? reply : dc_setting(ctx, "mail.from");
	if (!from || dc_mail_parse(from, &name, &addr) < 0) {
		rc = dc_error(ctx, DC_ESCHEMA, "setting '%s': '%s' is not a mailbox",
		              from == reply ? "mail.reply_to" : "mail.from", from ? from : "");
		goto done;
	}
	c->contact = addr;
	addr = NULL;
	for (i = 0; i < NSETS; i++) {
		c->modified[i][0] = '\0';
		if ((rc = dc_prepare(ctx, &st, sets[i].modified)))
			goto done;
		if ((rc = dc_step(ctx, st)) == DC_ROW) {
			if (!dc_col_null(st, 0))
				snprintf(c->modified[i], sizeof c->modified[i], "%s",
				         dc_col_text(st, 0));
			rc = 0;
		}
		dc_finish(ctx, st);
		if (rc)
			goto done;
	}
done:
	if (from != reply)
		free(from);
	free(reply);
	free(name);
	free(addr);
	return rc;
}

static void
city_free(struct city *c)
{
	free(c->name);
	free(c->url);
	free(c->base);
	free(c->ars);
	free(c->contributor);
	free(c->license);
	free(c->contact);
}

static void
dataset(struct rdf *r, const struct city *c, size_t i)
{
	const struct set *s = &sets[i];
	const struct dist *d;
	char *iri = dc_printf("%s/dcat#%s", c->base, s->name), *title;

	node(r, "dcat:Dataset", iri);
	title = dc_printf("%s: %s", c->name, s->title);
	literal(r, "dct:title", title, "de", 0);
	literal(r, "dct:description", s->description, "de", 0);
	resource(r, "dct:publisher", c->url, NULL);
	contact(r, c->name, c->contact);
	if (*c->modified[i])
		literal(r, "dct:modified", c->modified[i], NULL, 1);
	resource(r, "dcat:theme", THEME, s->theme);
	resource(r, "dcatde:contributorID", c->contributor, NULL);
	resource(r, "dcatde:politicalGeocodingURI", REGIONAL_KEY, c->ars);
	resource(r, "dct:language", LANGUAGE, NULL);
	for (d = s->dist; d < s->dist + 3 && d->format; d++) {
		char *rest = dc_printf("-%s", d->format);

		resource(r, "dcat:distribution", iri, rest);
		free(rest);
	}
	node_end(r);
	for (d = s->dist; d < s->dist + 3 && d->format; d++) {
		char *id = dc_printf("%s-%s", iri, d->format);
		char *file = dc_printf("/%s.%s", s->name, dc_export_ext(d->format));
		char *label = dc_printf("%s: %s", s->title, d->label);

		node(r, "dcat:Distribution", id);
		literal(r, "dct:title", label, "de", 0);
		resource(r, "dcat:accessURL", c->base, "/");
		resource(r, "dcat:downloadURL", c->base, file);
		resource(r, "dct:format", FILE_TYPE, d->filetype);
		resource(r, "dcat:mediaType", MEDIA_TYPE, d->media);
		resource(r, "dct:license", c->license, NULL);
		if (*c->modified[i])
			literal(r, "dct:modified", c->modified[i], NULL, 1);
		node_end(r);
		free(label);
		free(file);
		free(id);
	}
	free(title);
	free(iri);
}

int
dc_export_dcat(struct dc *ctx, const struct dc_export *x, int xml)
{
	struct city c = {0};
	struct rdf r = {NULL, 1};
	xmlOutputBufferPtr ob = NULL;
	char *iri = NULL, *s, latest[21] = "";
	size_t i;
	int rc;

	if ((rc = city_read(ctx, &c)))
		goto done;
	if (xml && (!(ob = dc_export_xml_stdout()) || !(r.w = xmlNewTextWriter(ob)))) {
		rc = dc_error(ctx, DC_EINTERNAL, "cannot start the XML writer");
		goto done;
	}
	begin(&r);
	iri = dc_printf("%s/dcat#catalog", c.base);
	node(&r, "dcat:Catalog", iri);
	s = dc_printf("Offene Daten: %s", c.name);
	literal(&r, "dct:title", s, "de", 0);
	free(s);
	s = dc_printf("Die offenen Daten von %s aus dcity: Anliegen und Leistungen (Open311), "
	              "Vergaben (OCDS), Beiträge (Atom, RSS, JSON Feed), Veranstaltungen "
	              "(iCalendar) und die Statusübersicht der Anliegen.",
	              c.name);
	literal(&r, "dct:description", s, "de", 0);
	free(s);
	resource(&r, "dct:publisher", c.url, NULL);
	resource(&r, "dct:language", LANGUAGE, NULL);
	resource(&r, "foaf:homepage", c.url, NULL);
	for (i = 0; i < NSETS; i++)
		if (strcmp(c.modified[i], latest) > 0)
			memcpy(latest, c.modified[i], sizeof latest);
	if (*latest)
		literal(&r, "dct:modified", latest, NULL, 1);
	for (i = 0; i < NSETS; i++) {
		s = dc_printf("/dcat#%s", sets[i].name);
		resource(&r, "dcat:dataset", c.base, s);
		free(s);
	}
	node_end(&r);
	node(&r, "foaf:Organization", c.url);
	literal(&r, "foaf:name", c.name, NULL, 0);
	node_end(&r);
	for (i = 0; i < NSETS; i++)
		dataset(&r, &c, i);
	end(&r);
	if (r.w)
		x_ok(&r, xmlTextWriterFlush(r.w));
	if (!(rc = dc_export_flush(ctx)) && !r.ok)
		rc = dc_error(ctx, DC_EIO, "write error on standard output");
done:
	if (r.w)
		xmlFreeTextWriter(r.w);
	else if (ob)
		xmlOutputBufferClose(ob);
	fflush(stdout);
	free(iri);
	city_free(&c);
	return rc;
}
