// fmt's compiled functions, built once into the project: Debian ships fmt as
// a shared library only, and a program that links it also loads and
// relocates libstdc++.so at every start (bench/README.md). The CLI, the
// library and the tests link this instead (target llbitmap_fmt).
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {

// The templates fmt/format.h declares `extern` unless it is header-only,
// and the locale accessors fmt/chrono.h calls.
template locale_ref::locale_ref(const std::locale&);
template auto locale_ref::get<std::locale>() const -> std::locale;
template auto thousands_sep_impl<char>(locale_ref) -> thousands_sep_result<char>;
template auto decimal_point_impl(locale_ref) -> char;
template void vformat_to(buffer<char>&, string_view, basic_format_args<FMT_BUFFER_CONTEXT(char)>, locale_ref);

}  // namespace detail
FMT_END_NAMESPACE
