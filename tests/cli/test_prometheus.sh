# examine --format prometheus: the text exposition format node_exporter's
# textfile collector reads (HELP and TYPE once per family, then samples).
source "$TESTLIB"

"$MKFIXTURE" m0.img --size-mib 64 --level 1 --raid-disks 2 --role 0 --state 0-9=2 --state 10-14=3
"$MKFIXTURE" m1.img --size-mib 64 --level 1 --raid-disks 2 --role 1 --state 0-9=2 --state 10-14=3
"$MKFIXTURE" bad.img --size-mib 64 --state 0=0x7f
run "$LLBITMAP" examine --format prometheus m0.img m1.img
expect_rc 0
expect_no_err
for family in problem md_events bitmap_events bitmap_version chunks chunk_size_bytes dirty_chunks state_chunks; do
  expect_out "# HELP llbitmap_$family "
  expect_out "# TYPE llbitmap_$family gauge"
done
labels='device="m1.img",array_uuid="01234567:89abcdef:01234567:89abcdef"'
expect_out "llbitmap_problem{$labels} 0"
expect_out "llbitmap_chunk_size_bytes{$labels} 65536"
expect_out "llbitmap_dirty_chunks{$labels} 15"
expect_out "llbitmap_state_chunks{$labels,state=\"dirty\"} 10"
expect_out "llbitmap_state_chunks{$labels,state=\"need_sync\"} 5"
expect_out "llbitmap_state_chunks{$labels,state=\"invalid\"} 0"
# Grammar: each family's HELP/TYPE once, every sample NAME{LABELS} INTEGER.
python3 - "$OUT" <<'PY' || fail "not valid exposition text: $OUT"
import re, sys
seen, current = set(), None
for line in sys.argv[1].splitlines():
    if line.startswith("# HELP "):
        name = line.split()[2]
        assert name not in seen, "family twice: " + name
        seen.add(name); current = name
    elif line.startswith("# TYPE "):
        assert line.split()[2] == current and line.split()[3] == "gauge", line
    else:
        m = re.fullmatch(r'([a-z_]+)\{((?:[a-z_]+="(?:[^"\\]|\\.)*",?)+)\} (\d+)', line)
        assert m and m.group(1) == current, line
PY

run "$LLBITMAP" examine --format prometheus bad.img
expect_rc 1
expect_out 'llbitmap_problem{device="bad.img",'
expect_out '} 1'
echo "prometheus ok"
