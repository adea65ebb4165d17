/*
 * libxml2's one-time initialisation, done once for the whole process.  In
 * libxml2 2.9, xmlInitParser is not safe to run from two threads at once and
 * the first parser context runs it implicitly, so every module calls
 * dsj_xml_init() before its first libxml2 parser, reader, schema or tree call.
 */
#ifndef DSJ_XML_INIT_INTERNAL_H
#define DSJ_XML_INIT_INTERNAL_H

void dsj_xml_init(void);

#endif
