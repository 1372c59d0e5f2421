/* libxml2, loaded on first use: the table behind xmllib.h. */
#define DC_XMLLIB_H_TABLE
#include "core/xmllib.h"

#ifndef DC_SONAME_XML2
#error "the Makefile passes the SONAME the build links against"
#endif

DC_LAZY_TABLE(dc_xml_api, dc_xml_lib, DC_SONAME_XML2, DC_XML_FUNCTIONS)
