// What libllbmp.so exports. The library is compiled with -fvisibility=hidden
// (and a linker version script that keeps the standard library's template
// copies inside it), so only a declaration marked LLBMP_API is a symbol a
// program can link: the headers of this folder are the whole API, and
// libllbmp/libllbmp.symbols lists every exported symbol (tests/api compares
// it with the built library). ARCHITECTURE.md says how to add one.
#pragma once

#define LLBMP_API __attribute__((visibility("default")))
