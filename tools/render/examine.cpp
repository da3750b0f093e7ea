#include "render/examine.hpp"

#include <fmt/format.h>

#include "render/escape.hpp"
#include "render/member.hpp"
#include "render/prometheus.hpp"
#include "render/resize.hpp"

namespace llbitmap::cli {

namespace {

const std::optional<llbmp::MemberResize>& resize_of(const ExamineGroup& group, std::size_t i) {
  static const std::optional<llbmp::MemberResize> none;
  return i < group.resize.size() ? group.resize[i] : none;
}

// The kernel modelled and what it makes of the member's sizes (not in --brief: mdadm -X has no such line).
std::string kernel_text(const ExamineResult& result, const ExamineGroup& group, std::size_t i, bool brief) {
  if (brief) return {};
  std::string out = fmt::format("{:>19} : {}\n", "Kernel", kernel_line_value(result.kernel));
  if (const auto& r = resize_of(group, i))
    for (const auto& [name, value] : member_resize_lines(*r)) out += fmt::format("{:>19} : {}\n", name, printable(value));
  return out;
}

std::string kernel_export(const ExamineResult& result, const ExamineGroup& group, std::size_t i) {
  ExportLines e("LLBITMAP_");
  if (const auto& r = resize_of(group, i)) put_member_resize(e, *r);
  else e.put("KERNEL", llbmp::kernel_series_name(result.kernel));
  return e.text();
}

// One array's members (or the devices named on the command line) in text or export.
std::string members_text(const ExamineResult& result, const ExamineGroup& group, const std::string& format, bool brief) {
  const auto& members = group.members;
  std::string out;
  if (format == "export") {
    for (std::size_t i = 0; i < members.size(); ++i)
      out += fmt::format("{}{}{}", i ? "\n" : "", member_export(members[i]), kernel_export(result, group, i));
    if (members.size() > 1) {
      ExportLines agree("LLBITMAP_");
      agree.put("MEMBERS_AGREE", group.agreement.empty());
      out += fmt::format("\n{}", agree.text());
    }
    return out;
  }
  for (std::size_t i = 0; i < members.size(); ++i)
    out += fmt::format("{}{}{}", i ? "\n" : "", member_text(members[i], brief), kernel_text(result, group, i, brief));
  if (members.size() > 1) {
    out += fmt::format("\n{:>19} : {}\n", "Members agree", group.agreement.empty() ? "yes" : "no");
    for (const auto& f : group.agreement) out += fmt::format("{:>19}   {}\n", "", printable(f.to_string()));
  }
  return out;
}

// Error findings and disagreements, for stderr.
std::string problems_text(const ExamineGroup& group) {
  std::string err;
  for (const auto& m : group.members) err += error_findings_text("examine", m);
  for (const auto& f : group.agreement) err += fmt::format("llbitmap examine: {}\n", printable(f.to_string()));
  return err;
}

nlohmann::json members_json(const ExamineResult& result, const ExamineGroup& group) {
  nlohmann::json all = nlohmann::json::array();
  for (std::size_t i = 0; i < group.members.size(); ++i) {
    auto j = member_json(group.members[i]);
    j["kernel"] = llbmp::kernel_series_name(result.kernel);
    if (const auto& r = resize_of(group, i)) j["resize"] = member_resize_json(*r);
    all.push_back(std::move(j));
  }
  return all;
}

}  // namespace

bool ExamineResult::problems() const {
  if (!failures.empty()) return true;
  for (const auto& g : groups) {
    if (!g.agreement.empty()) return true;
    for (const auto& m : g.members)
      if (!m.ok()) return true;
  }
  return false;
}

Printout render_examine(const ExamineResult& result, const std::string& format, bool brief) {
  Printout p;
  if (!result.scan) {
    const auto& group = result.groups.front();
    if (format == "json") p.out(fmt::format("{}\n", json_text(members_json(result, group))));
    else if (format == "prometheus") p.out(members_prometheus(group.members));
    else p.out(members_text(result, group, format, brief));
    p.err(problems_text(group));
    return p;
  }
  nlohmann::json groups = nlohmann::json::array();
  std::vector<llbmp::Member> all;
  for (std::size_t g = 0; g < result.groups.size(); ++g) {
    const auto& group = result.groups[g];
    const std::string uuid = group.set_uuid ? llbmp::format_uuid(*group.set_uuid) : std::string();
    if (format == "json") {
      groups.push_back({{"array_uuid", uuid}, {"members_agree", group.agreement.empty()}, {"members", members_json(result, group)}});
    } else if (format == "prometheus") {
      all.insert(all.end(), group.members.begin(), group.members.end());
    } else {
      if (format == "text")
        p.out(fmt::format("{}Array {} ({} member{})\n\n", g ? "\n" : "", uuid, group.members.size(),
                          group.members.size() == 1 ? "" : "s"));
      else if (g)
        p.out("\n");
      p.out(members_text(result, group, format, brief));
    }
    p.err(problems_text(group));
  }
  if (format == "json") p.out(fmt::format("{}\n", json_text(groups)));
  if (format == "prometheus") p.out(members_prometheus(all));
  if (format == "text" && result.groups.empty() && result.failures.empty()) p.out("No md members found\n");
  for (const auto& f : result.failures) p.err(fmt::format("llbitmap examine: {}\n", f));
  return p;
}

}  // namespace llbitmap::cli
