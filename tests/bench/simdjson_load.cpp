// simdjson_load: what the hardware can do, for `make bench` (issue 8 target 7, no target):
// load a whole JSON file with simdjson's DOM parser (file read, validation, tape), count the rows.
// Built only for the benchmark (Debian libsimdjson-dev).  usage: simdjson_load FILE.json
#include <cstdio>

#include <simdjson.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: simdjson_load FILE.json\n");
        return 2;
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    auto error = parser.load(argv[1]).get(doc);
    if (error) {
        std::fprintf(stderr, "simdjson_load: %s: %s\n", argv[1], simdjson::error_message(error));
        return 1;
    }
    simdjson::dom::array rows;
    size_t n = 0;
    if (!doc["rows"].get(rows)) n = rows.size();
    std::printf("%zu rows\n", n);
    return 0;
}
