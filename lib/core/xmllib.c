/* libxml2, loaded on first use: the table behind xmllib.h. */
#define DC_XMLLIB_H_TABLE
#include "core/xmllib.h"

#ifndef DC_SONAME_XML2
#error "the Makefile passes the SONAME the build links against"
#endif

struct dc_xml_api dc_xml_api_table;

static const char *const names[] = {DC_XML_FUNCTIONS(DC_LAZY_NAME) NULL};
#define X(f) offsetof(struct dc_xml_api, f),
static const size_t offsets[] = {DC_XML_FUNCTIONS(X)};
#undef X

struct dc_lazy dc_xml_lib = {DC_SONAME_XML2, names, offsets, &dc_xml_api_table, NULL, ""};
