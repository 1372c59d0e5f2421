/*
 * libxml2: reading, checking and writing XML (BMEcat, e-invoices, exports).
 * Include this instead of the library's headers; the library is loaded at the first call.
 * A function not in the list fails to link (the library is not linked), a name in the list
 * the library lacks fails to compile: the list stays what the code uses.
 */
#ifndef DC_XMLLIB_H
#define DC_XMLLIB_H

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlwriter.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "core/lazy.h"

#define DC_XML_FUNCTIONS(X)                                                                   \
	X(xmlBufferContent) X(xmlBufferCreate) X(xmlBufferFree) X(xmlCtxtReadIO)              \
	X(xmlDocGetRootElement) X(xmlFree) X(xmlFreeDoc) X(xmlFreeParserCtxt)                 \
	X(xmlFreeTextReader) X(xmlFreeTextWriter) X(xmlGetLineNo) X(xmlNewParserCtxt)         \
	X(xmlNewTextWriter) X(xmlNewTextWriterMemory) X(xmlNodeGetContent)                    \
	X(xmlOutputBufferClose) X(xmlOutputBufferCreateFile) X(xmlReaderForIO)                \
	X(xmlSAX2GetLineNumber) X(xmlSchemaFreeParserCtxt) X(xmlSchemaFreeValidCtxt)          \
	X(xmlSchemaNewParserCtxt) X(xmlSchemaNewValidCtxt) X(xmlSchemaParse)                  \
	X(xmlSchemaSetParserStructuredErrors) X(xmlSchemaSetValidStructuredErrors)            \
	X(xmlSchemaValidateDoc) X(xmlSetGenericErrorFunc) X(xmlStopParser)                    \
	X(xmlTextReaderConstLocalName) X(xmlTextReaderConstName)                              \
	X(xmlTextReaderConstNamespaceUri) X(xmlTextReaderConstValue)                          \
	X(xmlTextReaderCurrentNode) X(xmlTextReaderDepth) X(xmlTextReaderGetAttribute)        \
	X(xmlTextReaderGetParserLineNumber) X(xmlTextReaderIsEmptyElement)                    \
	X(xmlTextReaderNodeType) X(xmlTextReaderRead) X(xmlTextReaderReadString)              \
	X(xmlTextReaderSetStructuredErrorHandler) X(xmlTextWriterEndDocument)                 \
	X(xmlTextWriterEndElement) X(xmlTextWriterFlush) X(xmlTextWriterSetIndent)            \
	X(xmlTextWriterSetIndentString) X(xmlTextWriterStartDocument)                         \
	X(xmlTextWriterStartElement) X(xmlTextWriterStartElementNS)                           \
	X(xmlTextWriterWriteAttribute) X(xmlTextWriterWriteElement)                           \
	X(xmlTextWriterWriteFormatElement) X(xmlTextWriterWriteString) X(xmlXPathFreeContext) \
	X(xmlXPathFreeObject) X(xmlXPathNewContext) X(xmlXPathNodeEval) X(xmlXPathRegisterNs)

DC_LAZY_API(dc_xml_api, dc_xml_lib, dc_xml, DC_XML_FUNCTIONS)

#ifndef DC_XMLLIB_H_TABLE
#define xmlBufferContent (*dc_xml()->xmlBufferContent)
#define xmlBufferCreate (*dc_xml()->xmlBufferCreate)
#define xmlBufferFree (*dc_xml()->xmlBufferFree)
#define xmlCtxtReadIO (*dc_xml()->xmlCtxtReadIO)
#define xmlDocGetRootElement (*dc_xml()->xmlDocGetRootElement)
#define xmlFree (*dc_xml()->xmlFree)
#define xmlFreeDoc (*dc_xml()->xmlFreeDoc)
#define xmlFreeParserCtxt (*dc_xml()->xmlFreeParserCtxt)
#define xmlFreeTextReader (*dc_xml()->xmlFreeTextReader)
#define xmlFreeTextWriter (*dc_xml()->xmlFreeTextWriter)
#define xmlGetLineNo (*dc_xml()->xmlGetLineNo)
#define xmlNewParserCtxt (*dc_xml()->xmlNewParserCtxt)
#define xmlNewTextWriter (*dc_xml()->xmlNewTextWriter)
#define xmlNewTextWriterMemory (*dc_xml()->xmlNewTextWriterMemory)
#define xmlNodeGetContent (*dc_xml()->xmlNodeGetContent)
#define xmlOutputBufferClose (*dc_xml()->xmlOutputBufferClose)
#define xmlOutputBufferCreateFile (*dc_xml()->xmlOutputBufferCreateFile)
#define xmlReaderForIO (*dc_xml()->xmlReaderForIO)
#define xmlSAX2GetLineNumber (*dc_xml()->xmlSAX2GetLineNumber)
#define xmlSchemaFreeParserCtxt (*dc_xml()->xmlSchemaFreeParserCtxt)
#define xmlSchemaFreeValidCtxt (*dc_xml()->xmlSchemaFreeValidCtxt)
#define xmlSchemaNewParserCtxt (*dc_xml()->xmlSchemaNewParserCtxt)
#define xmlSchemaNewValidCtxt (*dc_xml()->xmlSchemaNewValidCtxt)
#define xmlSchemaParse (*dc_xml()->xmlSchemaParse)
#define xmlSchemaSetParserStructuredErrors (*dc_xml()->xmlSchemaSetParserStructuredErrors)
#define xmlSchemaSetValidStructuredErrors (*dc_xml()->xmlSchemaSetValidStructuredErrors)
#define xmlSchemaValidateDoc (*dc_xml()->xmlSchemaValidateDoc)
#define xmlSetGenericErrorFunc (*dc_xml()->xmlSetGenericErrorFunc)
#define xmlStopParser (*dc_xml()->xmlStopParser)
#define xmlTextReaderConstLocalName (*dc_xml()->xmlTextReaderConstLocalName)
#define xmlTextReaderConstName (*dc_xml()->xmlTextReaderConstName)
#define xmlTextReaderConstNamespaceUri (*dc_xml()->xmlTextReaderConstNamespaceUri)
#define xmlTextReaderConstValue (*dc_xml()->xmlTextReaderConstValue)
#define xmlTextReaderCurrentNode (*dc_xml()->xmlTextReaderCurrentNode)
#define xmlTextReaderDepth (*dc_xml()->xmlTextReaderDepth)
#define xmlTextReaderGetAttribute (*dc_xml()->xmlTextReaderGetAttribute)
#define xmlTextReaderGetParserLineNumber (*dc_xml()->xmlTextReaderGetParserLineNumber)
#define xmlTextReaderIsEmptyElement (*dc_xml()->xmlTextReaderIsEmptyElement)
#define xmlTextReaderNodeType (*dc_xml()->xmlTextReaderNodeType)
#define xmlTextReaderRead (*dc_xml()->xmlTextReaderRead)
#define xmlTextReaderReadString (*dc_xml()->xmlTextReaderReadString)
#define xmlTextReaderSetStructuredErrorHandler (*dc_xml()->xmlTextReaderSetStructuredErrorHandler)
#define xmlTextWriterEndDocument (*dc_xml()->xmlTextWriterEndDocument)
#define xmlTextWriterEndElement (*dc_xml()->xmlTextWriterEndElement)
#define xmlTextWriterFlush (*dc_xml()->xmlTextWriterFlush)
#define xmlTextWriterSetIndent (*dc_xml()->xmlTextWriterSetIndent)
#define xmlTextWriterSetIndentString (*dc_xml()->xmlTextWriterSetIndentString)
#define xmlTextWriterStartDocument (*dc_xml()->xmlTextWriterStartDocument)
#define xmlTextWriterStartElement (*dc_xml()->xmlTextWriterStartElement)
#define xmlTextWriterStartElementNS (*dc_xml()->xmlTextWriterStartElementNS)
#define xmlTextWriterWriteAttribute (*dc_xml()->xmlTextWriterWriteAttribute)
#define xmlTextWriterWriteElement (*dc_xml()->xmlTextWriterWriteElement)
#define xmlTextWriterWriteFormatElement (*dc_xml()->xmlTextWriterWriteFormatElement)
#define xmlTextWriterWriteString (*dc_xml()->xmlTextWriterWriteString)
#define xmlXPathFreeContext (*dc_xml()->xmlXPathFreeContext)
#define xmlXPathFreeObject (*dc_xml()->xmlXPathFreeObject)
#define xmlXPathNewContext (*dc_xml()->xmlXPathNewContext)
#define xmlXPathNodeEval (*dc_xml()->xmlXPathNodeEval)
#define xmlXPathRegisterNs (*dc_xml()->xmlXPathRegisterNs)
#endif

#endif
