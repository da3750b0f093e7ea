# dump --svg / --png: the files parse (xmllint, pngcheck or python's zlib over
# the PNG chunks), carry the title, legend and axis labels, and nothing else
# is printed on stdout.
source "$TESTLIB"

"$MKFIXTURE" m.img --size-mib 64 --state 0-99=2 --state 100-199=3 --state 200-210=7 --state 300=0x7f
run "$LLBITMAP" dump --svg m.svg --png m.png m.img
expect_rc 1   # the invalid byte is a problem, reported as usual
expect_err "llbitmap dump: m.img: bitmap.states"
[ -z "$OUT" ] || fail "pictures should print nothing on stdout: $OUT"
[ -s m.svg ] || fail "no SVG written"
[ -s m.png ] || fail "no PNG written"

# SVG: well-formed XML; one title, a legend with counts, sector and byte labels.
if command -v xmllint >/dev/null; then
  xmllint --noout m.svg || fail "m.svg is not well-formed XML"
else
  python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' m.svg || fail "m.svg does not parse"
fi
for text in "llbitmap dump: m.img" "UTC" "dirty (100)" "need_sync (100)" "clean_unwritten (11)" "invalid (1)" \
            "sector" "byte offset" "<title>chunk 0: dirty</title>"; do
  grep -qF -- "$text" m.svg || fail "m.svg lacks '$text'"
done
cells=$(grep -c '<title>chunk ' m.svg)
chunks=$("$LLBITMAP" examine --format json m.img | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["bitmap"]["chunks"])' || true)
[ "$cells" = "$chunks" ] || fail "one cell per chunk expected: $cells cells, $chunks chunks"

# PNG: every chunk's CRC and the image data inflate (pngcheck when installed).
if command -v pngcheck >/dev/null; then
  pngcheck -q m.png || fail "pngcheck rejects m.png"
fi
python3 - m.png <<'PY' || fail "m.png does not parse"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0], kind
    if kind == b"IHDR": w, h, depth, colour = struct.unpack(">IIBB", body[:10]); assert depth == 8 and colour == 2
    if kind == b"IDAT": idat += body
    pos += 12 + n
assert len(zlib.decompress(idat)) == h * (1 + 3 * w)
PY

# Many chunks: cells are groups of chunks, the worst state shown.
"$MKFIXTURE" big.img --size-mib 512 --chunk 8 --state 5=3
run "$LLBITMAP" dump --svg big.svg big.img
expect_rc 0
grep -qF "<title>chunks 0-" big.svg || fail "big.svg should group chunks"
grep -qF "worst need_sync</title>" big.svg || fail "the group holding chunk 5 shows need_sync"
grep -qF "chunk(s) per cell" big.svg || fail "big.svg title lacks the group size"

# --chunks limits the picture; an unwritable file is one error line, exit 1.
run "$LLBITMAP" dump --chunks 100-199 --svg part.svg m.img
grep -qF "chunks 100-199" part.svg || fail "part.svg should cover chunks 100-199"
run "$LLBITMAP" dump --png /nonexistent/dir/x.png m.img
expect_rc 1
expect_err "llbitmap dump: /nonexistent/dir/x.png: cannot write the PNG picture"
echo "pictures ok"
