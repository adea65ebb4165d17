/* jsonc_load: the reference point of `make bench`: load a whole JSON file into a json-c tree
 * (json_object_from_file), then free it.  Prints the number of top-level keys and rows.
 * usage: jsonc_load FILE.json */
#include <stdio.h>

#include <json.h>

int main(int argc, char **argv)
{
    json_object *doc, *rows;
    size_t nrows = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: jsonc_load FILE.json\n");
        return 2;
    }
    doc = json_object_from_file(argv[1]);
    if (!doc) {
        fprintf(stderr, "jsonc_load: %s: %s\n", argv[1], json_util_get_last_err());
        return 1;
    }
    if (json_object_object_get_ex(doc, "rows", &rows) && json_object_is_type(rows, json_type_array))
        nrows = json_object_array_length(rows);
    printf("%d keys, %zu rows\n", json_object_object_length(doc), nrows);
    json_object_put(doc);
    return 0;
}
