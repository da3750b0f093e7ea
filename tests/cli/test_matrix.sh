# The input matrix (tests/cli/matrix.py): every command over metadata
# 1.0/1.1/1.2 x raid1/5/6/10 x llbitmap/classic x image/loop device x one
# member/all, with success, dry run, refusals and interruption at every write.
source "$TESTLIB"
args=()
if [ "$(id -u)" = 0 ] && losetup -f >/dev/null 2>&1; then args=(--loop); else echo "test_matrix: no loop devices, image files only" >&2; fi
# LLBITMAP_MATRIX_QUICK=1 (the sanitizer build): one level per metadata version.
[ "${LLBITMAP_MATRIX_QUICK:-0}" = 1 ] && args+=(--quick)
python3 "$LLBITMAP_SOURCE_DIR/tests/cli/matrix.py" "$PWD/matrix" "${args[@]}" || fail "matrix cells failed (above)"
echo "test_matrix: ok"
