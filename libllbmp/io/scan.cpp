#include "io/scan.hpp"

#include <blkid/blkid.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <utility>

#include "llbmp/error.hpp"
#include "format/shared_library.hpp"

namespace llbmp {

namespace {

// libblkid, loaded at the first scan (format/shared_library.hpp).
struct Blkid {
  SharedLibrary library{"libblkid.so.1", "the device scan"};
  decltype(&::blkid_get_cache) get_cache = library.function<decltype(&::blkid_get_cache)>("blkid_get_cache");
  decltype(&::blkid_put_cache) put_cache = library.function<decltype(&::blkid_put_cache)>("blkid_put_cache");
  decltype(&::blkid_probe_all) probe_all = library.function<decltype(&::blkid_probe_all)>("blkid_probe_all");
  decltype(&::blkid_dev_iterate_begin) dev_iterate_begin = library.function<decltype(&::blkid_dev_iterate_begin)>("blkid_dev_iterate_begin");
  decltype(&::blkid_dev_iterate_end) dev_iterate_end = library.function<decltype(&::blkid_dev_iterate_end)>("blkid_dev_iterate_end");
  decltype(&::blkid_dev_set_search) dev_set_search = library.function<decltype(&::blkid_dev_set_search)>("blkid_dev_set_search");
  decltype(&::blkid_dev_next) dev_next = library.function<decltype(&::blkid_dev_next)>("blkid_dev_next");
  decltype(&::blkid_verify) verify = library.function<decltype(&::blkid_verify)>("blkid_verify");
  decltype(&::blkid_dev_devname) dev_devname = library.function<decltype(&::blkid_dev_devname)>("blkid_dev_devname");
};

struct CacheCloser {
  void operator()(blkid_struct_cache* cache) const noexcept { loaded<Blkid>().put_cache(cache); }
};
using CachePtr = std::unique_ptr<blkid_struct_cache, CacheCloser>;

struct IterCloser {
  void operator()(blkid_struct_dev_iterate* it) const noexcept { loaded<Blkid>().dev_iterate_end(it); }
};
using IterPtr = std::unique_ptr<blkid_struct_dev_iterate, IterCloser>;

CachePtr fresh_cache() {
  blkid_cache raw = nullptr;
  // "/dev/null": no cache file is read or written, every device is probed now.
  if (loaded<Blkid>().get_cache(&raw, "/dev/null") != 0 || raw == nullptr)
    throw Error("libblkid", "", "", "cannot create a probe cache");
  CachePtr cache(raw);
  if (loaded<Blkid>().probe_all(cache.get()) != 0) throw Error("libblkid", "", "", "probing the block devices failed");
  return cache;
}

// "/dev/sdb2" before "/dev/sdb10": digit runs compare as numbers.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
    const bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
    if (da && db) {
      const std::size_t ei = a.find_first_not_of("0123456789", i);
      const std::size_t ej = b.find_first_not_of("0123456789", j);
      const std::string na = a.substr(i, ei == std::string::npos ? std::string::npos : ei - i);
      const std::string nb = b.substr(j, ej == std::string::npos ? std::string::npos : ej - j);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i += na.size();
      j += nb.size();
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

}  // namespace

std::vector<std::string> scan_md_member_paths() {
  const CachePtr cache = fresh_cache();
  const Blkid& lib = loaded<Blkid>();
  const IterPtr it(lib.dev_iterate_begin(cache.get()));
  if (!it) throw Error("libblkid", "", "", "cannot iterate the probed devices");
  if (lib.dev_set_search(it.get(), "TYPE", "linux_raid_member") != 0)
    throw Error("libblkid", "", "", "cannot search by TYPE");
  std::vector<std::string> paths;
  blkid_dev dev = nullptr;
  while (lib.dev_next(it.get(), &dev) == 0) {
    // blkid_verify re-probes a device whose tags may be stale; NULL means it is gone.
    const blkid_dev verified = lib.verify(cache.get(), dev);
    if (verified != nullptr) paths.emplace_back(lib.dev_devname(verified));
  }
  std::sort(paths.begin(), paths.end(), natural_less);
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return paths;
}

}  // namespace llbmp
