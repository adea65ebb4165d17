/* xmlreader_pass: the reference of `make bench` for Dataset-XML (issue 8 target 4): one plain
 * libxml2 xmlTextReader pass over a file that looks at every ItemData element and reads its
 * Value attribute (without copying it), as any Dataset-XML reader must at least do.
 * Prints the number of ItemData elements and the total bytes of their values.
 * usage: xmlreader_pass FILE.xml */
#include <stdio.h>
#include <string.h>

#include <libxml/xmlreader.h>

int main(int argc, char **argv)
{
    xmlTextReaderPtr r;
    unsigned long long items = 0, bytes = 0;
    int ret;

    if (argc != 2) {
        fprintf(stderr, "usage: xmlreader_pass FILE.xml\n");
        return 2;
    }
    r = xmlReaderForFile(argv[1], NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
    if (!r) {
        fprintf(stderr, "xmlreader_pass: cannot open %s\n", argv[1]);
        return 1;
    }
    while ((ret = xmlTextReaderRead(r)) == 1) {
        const xmlChar *name;
        if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT) continue;
        name = xmlTextReaderConstLocalName(r);
        if (!name || strcmp((const char *)name, "ItemData") != 0) continue;
        items++;
        if (xmlTextReaderMoveToAttribute(r, BAD_CAST "Value") == 1) {
            const xmlChar *v = xmlTextReaderConstValue(r);
            if (v) bytes += strlen((const char *)v);
            xmlTextReaderMoveToElement(r);
        }
    }
    xmlFreeTextReader(r);
    if (ret != 0) {
        fprintf(stderr, "xmlreader_pass: %s: parse error\n", argv[1]);
        return 1;
    }
    printf("%llu ItemData, %llu value bytes\n", items, bytes);
    return 0;
}
