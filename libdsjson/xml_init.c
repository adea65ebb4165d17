/* libxml2 initialisation once per process (xml_init_internal.h): the library's only global state. */
#include "xml_init_internal.h"

#include <libxml/parser.h>
#include <pthread.h>

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

void dsj_xml_init(void)
{
    (void)pthread_once(&xml_once, xmlInitParser);
}
