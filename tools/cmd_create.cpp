// llbitmap create DEV...: a fresh llbitmap on existing members, or (with
// --level/--raid-disks/--size) complete member images for tests.
#include <fmt/core.h>

#include <limits>
#include <random>

#include "command.hpp"
#include "write/create.hpp"
#include "write/write_common.hpp"
#include "format/md_super.hpp"
#include "parse.hpp"
#include "render/escape.hpp"
#include "write_support.hpp"

namespace llbitmap::cli {

namespace {

struct CreateArgs {
  std::vector<std::string> devices;
  bool first_use = false, assume_clean = false, force = false, dry_run = false;
  std::string offset, reserved, daemon_sleep;
  std::string chunk_size, states;
  // Member images.
  std::optional<std::string> level;
  std::string raid_disks;
  std::string size, uuid, name = "llbitmap", metadata = "1.2";
  std::string data_offset = "2048", events = "1";
  bool degraded = false, classic = false, no_bitmap = false, bad_block_log = false;
  std::vector<std::string> missing;
  const CLI::App* command = nullptr;  // for options given on the command line, defaults or not
  bool given(const char* option) const { return command->count(option) != 0; }
};

// The options that shape member images only.
constexpr const char* kImageOptions[] = {"--classic", "--no-bitmap", "--raid-disks", "--size", "--missing", "--degraded",
                                         "--uuid", "--name", "--metadata", "--data-offset", "--events", "--bad-block-log"};

constexpr std::size_t kMdNameBytes = 32;  // mdp_superblock_1.set_name

std::uint32_t chunk_sectors_from(const std::string& text) {
  const std::uint64_t sectors = parse_size_sectors(text, "--chunk-size", PlainNumber::refused);
  if (sectors > 0xffffffffu) throw UsageError(fmt::format("--chunk-size {}: more than 2^32-1 sectors", text));
  if ((sectors & (sectors - 1)) != 0) throw UsageError(fmt::format("--chunk-size {}: not a power of two", text));
  return static_cast<std::uint32_t>(sectors);
}

std::uint32_t classic_chunk_bytes_from(const std::string& text) {
  const std::uint64_t bytes = parse_size_bytes(text, "--chunk-size", PlainNumber::refused);
  if (bytes > 0xffffffffu) throw UsageError(fmt::format("--chunk-size {}: a classic chunk is at most 2^32-1 bytes", text));
  return static_cast<std::uint32_t>(bytes);
}

std::optional<std::int32_t> offset_from(const CreateArgs& a) {
  if (a.offset.empty()) return std::nullopt;
  return static_cast<std::int32_t>(parse_signed(a.offset, "--offset", std::numeric_limits<std::int32_t>::min(),
                                                std::numeric_limits<std::int32_t>::max()));
}

std::optional<std::uint32_t> reserved_from(const CreateArgs& a) {
  if (a.reserved.empty()) return std::nullopt;
  return parse_number_as<std::uint32_t>(a.reserved, "--reserved", 1);
}

// The kernel refuses a daemon_sleep of 0 (md_bitmap_read_sb, llbitmap_read_sb).
std::optional<std::uint32_t> daemon_sleep_from(const CreateArgs& a) {
  if (a.daemon_sleep.empty()) return std::nullopt;
  return parse_number_as<std::uint32_t>(a.daemon_sleep, "--daemon-sleep", 1);
}

llbmp::CreateOptions create_options(const CreateArgs& a) {
  llbmp::CreateOptions o;
  o.first_use = a.first_use;
  o.assume_clean = a.assume_clean;
  o.force = a.force;
  o.offset = offset_from(a);
  o.reserved = reserved_from(a);
  o.daemon_sleep = daemon_sleep_from(a);
  if (!a.chunk_size.empty()) o.chunk_sectors = chunk_sectors_from(a.chunk_size);
  if (!a.states.empty()) o.states = llbmp::load_state_spec(a.states);
  if (a.first_use && (o.chunk_sectors || !o.states.empty()))
    throw UsageError("--first-use leaves the chunk size and the states to the kernel: no --chunk-size or --states");
  return o;
}

int run_on_members(const CreateArgs& a) {
  const auto options = create_options(a);
  const auto members = llbmp::load_array_members(a.devices);
  const auto plan = llbmp::plan_create(members, options);
  if (a.dry_run) {
    for (const auto& nb : plan.bitmaps) fmt::print("{}", new_bitmap_text(nb, true));
    fmt::print("{}{}", plan_text(plan.writes), dry_run_end_text());
    return kExitOk;
  }
  llbmp::OpenedPlan opened(plan.writes, fault_injector_from_env());
  execute_reporting(opened, {});
  for (const auto& nb : plan.bitmaps) fmt::print("{}", new_bitmap_text(nb, false));  // only once written and flushed
  return kExitOk;
}

llbmp::Uuid uuid_from(const std::string& text) {
  if (!text.empty()) {
    const auto uuid = llbmp::parse_uuid(text);
    if (!uuid) throw UsageError(fmt::format("--uuid {}: not a uuid (32 hex digits)", text));
    return *uuid;
  }
  llbmp::Uuid uuid{};
  std::random_device random;
  for (auto& byte : uuid) byte = static_cast<std::uint8_t>(random());
  return uuid;
}

llbmp::ImageSpec image_spec(const CreateArgs& a) {
  llbmp::ImageSpec spec;
  llbmp::ArraySpec& s = spec.array;
  const auto level = llbmp::parse_level(*a.level);
  if (!level) throw UsageError(fmt::format("--level {}: unknown level", *a.level));
  s.level = *level;
  if (a.raid_disks.empty()) throw UsageError("--raid-disks is required with --level");
  if (a.size.empty()) throw UsageError("--size (of each member image) is required with --level");
  s.raid_disks = parse_number_as<std::uint32_t>(a.raid_disks, "--raid-disks", 1, llbmp::kMdMaxDevices);
  s.member_bytes = parse_size_bytes(a.size, "--size");
  if (a.metadata != "1.0" && a.metadata != "1.1" && a.metadata != "1.2")
    throw UsageError(fmt::format("--metadata {}: 1.0, 1.1 or 1.2", a.metadata));
  s.minor_version = a.metadata.back() - '0';
  s.data_offset = parse_number(a.data_offset, "--data-offset");
  s.uuid = uuid_from(a.uuid);
  if (a.name.size() > kMdNameBytes)
    throw UsageError(fmt::format("--name {}: {} bytes, the md superblock holds at most {}", printable(a.name), a.name.size(), kMdNameBytes));
  s.name = a.name;
  s.events = parse_number(a.events, "--events");
  s.assume_clean = a.assume_clean;
  s.missing.assign(s.raid_disks, false);
  for (const auto& text : a.missing) {
    const auto role = parse_number(text, "--missing");
    if (role >= s.raid_disks) throw UsageError(fmt::format("--missing {}: past --raid-disks ({} roles, 0 to {})", text, s.raid_disks, s.raid_disks - 1));
    s.missing[role] = true;
  }
  if (a.degraded) s.missing.back() = true;
  s.bitmap = a.no_bitmap ? llbmp::BitmapKind::none
             : a.classic ? llbmp::BitmapKind::classic
             : a.first_use ? llbmp::BitmapKind::lockless_first_use
                           : llbmp::BitmapKind::lockless;
  if (a.bad_block_log) {  // where mdadm puts it: 16 sectors after the superblock, 8 sectors
    s.bblog_offset = 16;
    s.bblog_size = 8;
  }
  const auto offset = offset_from(a);
  if (offset) s.bitmap_offset = *offset;
  if (a.bad_block_log && !offset && s.minor_version != 0 && !a.no_bitmap && !a.classic) s.bitmap_offset = 24;
  if (const auto reserved = reserved_from(a)) s.sectors_reserved = *reserved;
  if (const auto daemon_sleep = daemon_sleep_from(a)) s.daemon_sleep = *daemon_sleep;
  if (!a.chunk_size.empty()) s.bitmap_chunk = a.classic ? classic_chunk_bytes_from(a.chunk_size) : chunk_sectors_from(a.chunk_size);
  if (!a.states.empty()) spec.states = llbmp::load_state_spec(a.states);
  return spec;
}

// --no-bitmap leaves nothing for the bitmap options to shape.
void refuse_bitmap_options_without_bitmap(const CreateArgs& a) {
  if (!a.no_bitmap) return;
  const std::pair<bool, const char*> given[] = {
      {a.classic, "--classic"},           {a.first_use, "--first-use"},       {!a.chunk_size.empty(), "--chunk-size"},
      {!a.states.empty(), "--states"},    {!a.offset.empty(), "--offset"},    {!a.reserved.empty(), "--reserved"},
      {!a.daemon_sleep.empty(), "--daemon-sleep"},
  };
  for (const auto& [on, option] : given)
    if (on) throw UsageError(fmt::format("--no-bitmap and {} exclude each other: a member without a bitmap has nothing for it", option));
}

int run_images(const CreateArgs& a) {
  if (a.force) throw UsageError("member images are only written to new files: no --force");
  refuse_bitmap_options_without_bitmap(a);
  const auto spec = image_spec(a);
  const auto members = llbmp::build_member_images(spec, a.devices);
  std::vector<ImageLine> images;
  for (std::size_t i = 0; i < members.size(); ++i) images.push_back({a.devices[i], members[i].md.dev_number});
  if (a.dry_run) {
    fmt::print("{}{}", image_lines_text(images, spec.array, a.metadata, true), dry_run_end_text());
    return kExitOk;
  }
  llbmp::write_member_images(spec, a.devices);
  fmt::print("{}", image_lines_text(images, spec.array, a.metadata, false));
  return kExitOk;
}

int run_create(const CreateArgs& a) {
  if (a.devices.empty()) throw UsageError("give member devices or, with --level, new image files");
  if (a.first_use && a.classic) throw UsageError("--first-use and --classic exclude each other");
  if (a.level) return run_images(a);
  for (const char* option : kImageOptions)
    if (a.given(option)) throw UsageError(fmt::format("{} shapes member images: give --level too", option));
  return run_on_members(a);
}

}  // namespace

Runner add_create(CLI::App& app) {
  auto a = std::make_shared<CreateArgs>();
  auto* cmd = app.add_subcommand("create", "Write a fresh llbitmap onto members, or make member images for tests");
  cmd->add_option("devices", a->devices, "Member devices or image files (new files with --level)");
  cmd->add_flag("--first-use", a->first_use, "Write what mdadm 4.6 writes (FIRST_USE): the kernel initialises it");
  cmd->add_flag("--assume-clean", a->assume_clean, "Every chunk Clean (FIRST_USE: the CLEAN flag)");
  cmd->add_flag("--force", a->force, "Replace an existing bitmap");
  cmd->add_flag("--dry-run,-n", a->dry_run, "Print what would be written; write nothing");
  cmd->add_option("--offset", a->offset, "bitmap_offset in sectors from the superblock (default +8, or after the bad-block log)")
      ->type_name("SECTORS");
  cmd->add_option("--reserved", a->reserved, "Sectors reserved for the bitmap area (default 256)")->type_name("SECTORS");
  cmd->add_option("--daemon-sleep", a->daemon_sleep, "Seconds, at least 1 (default 30; 5 with --first-use)")->type_name("SECONDS");
  cmd->add_option("--chunk-size", a->chunk_size, "Chunk size with a unit: 64K, 1M, or 128s in sectors")->type_name("SIZE");
  cmd->add_option("--states", a->states, "Seed chunk states: RANGE:STATE[,...] or @FILE (e.g. 0-99:dirty,500:need_sync)");
  cmd->add_option("--level", a->level, "Make member images: raid level (1, 4, 5, 6, 10)");
  cmd->add_option("--raid-disks,--raid-devices", a->raid_disks, "Member images: number of members")->type_name("N");
  cmd->add_option("--size", a->size, "Member images: size of each image (e.g. 256M)")->type_name("SIZE");
  cmd->add_option("--uuid", a->uuid, "Member images: array uuid (default random)");
  cmd->add_option("--name", a->name, "Member images: array name (at most 32 bytes)")->capture_default_str();
  cmd->add_option("--metadata", a->metadata, "Member images: 1.0, 1.1 or 1.2")->capture_default_str();
  cmd->add_option("--data-offset", a->data_offset, "Member images: data offset in sectors (1.1/1.2)")
      ->type_name("SECTORS")
      ->capture_default_str();
  cmd->add_option("--events", a->events, "Member images: md events")->type_name("N")->capture_default_str();
  cmd->add_option("--missing", a->missing, "Member images: this role is missing (repeatable)")
      ->type_name("ROLE")
      ->allow_extra_args(false);
  cmd->add_flag("--degraded", a->degraded, "Member images: the last role is missing");
  cmd->add_flag("--classic", a->classic, "Member images: a classic (version 4) bitmap");
  cmd->add_flag("--no-bitmap", a->no_bitmap, "Member images: no bitmap (as mdadm --bitmap=none)");
  cmd->add_flag("--bad-block-log", a->bad_block_log, "Member images: a bad-block log at +16 sectors, as mdadm writes it");
  cmd->footer(
      "Example:\n  llbitmap create /dev/sdb1 /dev/sdc1\n  llbitmap create --first-use --assume-clean /dev/sdb1\n"
      "  llbitmap create --level 1 --raid-disks 2 --size 256M --states 0-99:dirty a.img b.img");
  a->command = cmd;
  return [a] { return run_create(*a); };
}

}  // namespace llbitmap::cli
