# gen-messages.awk: ui-strings/AppErrors.properties (sorted by key) -> C table
#
# Input lines are KEY=text in Java .properties syntax; comments start with
# '#' or '!'. The output is a sorted array the library searches with bsearch.
# Property escapes (\:, \=, \n, \t, \\) are decoded, then the text is
# re-escaped as a C string literal.
BEGIN {
    print "/* Generated from ui-strings/AppErrors.properties by build-aux/gen-messages.awk. */"
    print "/* Do not edit: edit the catalogue instead. */"
    print "#include <config.h>"
    print "#include \"util/sfo-messages.h\""
    print ""
    print "const sfo_message sfo_messages_table[] = {"
    n = 0
}
/^[ \t]*$/ { next }
/^[ \t]*[#!]/ { next }
{
    eq = index($0, "=")
    if (eq == 0) {
        printf("%s:%d: no '=' in line\n", FILENAME, FNR) > "/dev/stderr"
        exit 1
    }
    key = substr($0, 1, eq - 1)
    gsub(/[ \t]+$/, "", key)
    raw = substr($0, eq + 1)
    out = ""
    for (i = 1; i <= length(raw); i++) {
        c = substr(raw, i, 1)
        if (c == "\\" && i < length(raw)) {
            i++
            d = substr(raw, i, 1)
            if (d == "n") c = "\\n"
            else if (d == "t") c = "\\t"
            else if (d == "\\") c = "\\\\"
            else c = d
        } else if (c == "\\") {
            c = "\\\\"
        }
        if (c == "\"")
            c = "\\\""
        out = out c
    }
    if (key == prev) {
        printf("duplicate key %s\n", key) > "/dev/stderr"
        exit 1
    }
    prev = key
    printf("    { \"%s\", \"%s\" },\n", key, out)
    n++
}
END {
    print "};"
    print ""
    printf("const size_t sfo_messages_count = %d;\n", n)
}
