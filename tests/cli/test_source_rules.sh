# Source rules CI holds the project to: numbers from the user and from disks
# go through the one parser (tools/parse.cpp) or std::from_chars, never
# through std::stoull/stoul/stoi/atoi, which throw raw exceptions or wrap.
source "$TESTLIB"
: "${LLBITMAP_SOURCE_DIR:?}"
cd "$LLBITMAP_SOURCE_DIR"
found=$(grep -rnwE "stoull|stoul|stoi|stol|stoll|atoi|atol|strtoul|strtoull" tools/ libllbmp/ || true)
[ -z "$found" ] || fail "number conversions outside the parser: $found"
echo "source rules ok"
