# Source rules CI holds the project to: numbers from the user and from disks
# go through the one parser (tools/parse.cpp) or std::from_chars, never
# through std::stoull/stoul/stoi/atoi, which throw raw exceptions or wrap.
# The library never names a CLI option: its errors name the request field and
# tools/main.cpp maps the field to the option (options of mdadm, another
# program, may be named).
source "$TESTLIB"
: "${LLBITMAP_SOURCE_DIR:?}"
cd "$LLBITMAP_SOURCE_DIR"
found=$(grep -rnwE "stoull|stoul|stoi|stol|stoll|atoi|atol|strtoul|strtoull" tools/ libllbmp/ || true)
[ -z "$found" ] || fail "number conversions outside the parser: $found"

# String literals (adjacent ones joined, comments left out) that name a
# --option, except after "mdadm" in the same literal.
options_in_literals() {
  python3 - "$@" <<'PY'
import re, sys
token = re.compile(r'//[^\n]*|/\*.*?\*/|\'(?:[^\'\\\n]|\\.)*\'|"(?:[^"\\\n]|\\.)*"', re.S)
option = re.compile(r'(?<![A-Za-z0-9-])--[a-z][a-z-]*')
mdadm = re.compile(r'mdadm(?: --[a-z][a-z-]*(?:=[^ ]*)?)* $')
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    literal, line, end = "", 0, None
    def report():
        for m in option.finditer(literal):
            if not mdadm.search(literal[:m.start()]):
                print(f"{path}:{line}: {m.group()} in \"{literal}\"")
    for t in token.finditer(text):
        if not t.group().startswith('"'):
            continue
        if end is not None and text[end:t.start()].strip() == "":
            literal += t.group()[1:-1]
        else:
            report()
            literal, line = t.group()[1:-1], text.count("\n", 0, t.start()) + 1
        end = t.end()
    report()
PY
}
# The rule finds what it should, and only that.
printf '%s\n' 'throw Error("", "x", "", "give " "--force to write");  // not "--here"' \
  'auto a = "mdadm --grow --consistency-policy=bitmap"; auto b = "what mdadm --add leaves";' >"$TMP/rule_sample.cpp"
sample=$(options_in_literals "$TMP/rule_sample.cpp")
[ "$(wc -l <<<"$sample")" = 1 ] && grep -qF -- '--force in "give --force to write"' <<<"$sample" ||
  fail "the --option rule on its sample: $sample"
found=$(options_in_literals $(find libllbmp -name '*.[ch]pp' | sort))
[ -z "$found" ] || fail "the library names a CLI option (give the request field; tools/main.cpp maps it): $found"
echo "source rules ok"
