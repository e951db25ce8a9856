#include "stages/normalize/canonical_url.h"

#include <idn2.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "stages/text/utf8.h"

namespace ingestd {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool IsTracking(std::string_view key, const std::vector<std::string>& extra) {
  const std::string k = Lower(key);
  if (k.rfind("utm_", 0) == 0) return true;
  static const char* kKnown[] = {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "_ga"};
  for (const char* t : kKnown) {
    if (k == t) return true;
  }
  for (const auto& e : extra) {
    if (k == Lower(e)) return true;
  }
  return false;
}

std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  const bool trailing = path.size() > 1 && (path.back() == '/' || path.ends_with("/.") || path.ends_with("/.."));
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    const std::string_view seg = path.substr(pos, next - pos);
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!seg.empty() && seg != ".") {
      out.push_back(seg);
    }
    pos = next + 1;
  }
  std::string result;
  for (auto s : out) {
    result += '/';
    result.append(s);
  }
  if (result.empty() || trailing) result += '/';
  return result;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// One spelling per byte: escapes of unreserved characters decoded, other escapes
// in uppercase hex, raw bytes that must be escaped (spaces, non-ASCII UTF-8,
// controls, a lone '%') escaped; reserved delimiters kept as they are, since
// decoding them would change the meaning.
std::string NormalizePercent(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  static constexpr std::string_view kReserved = "!$&'()*+,;=:@/?[]";
  std::string out;
  out.reserve(s.size());
  auto escape = [&](unsigned char v) {
    out.push_back('%');
    out.push_back(kHex[v >> 4]);
    out.push_back(kHex[v & 15]);
  };
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      const auto v = static_cast<unsigned char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      if (IsUnreserved(v)) {
        out.push_back(static_cast<char>(v));
      } else {
        escape(v);
      }
      i += 2;
    } else if (IsUnreserved(c) || kReserved.find(static_cast<char>(c)) != std::string_view::npos) {
      out.push_back(static_cast<char>(c));
    } else {
      escape(c);
    }
  }
  return out;
}

// Hosts in one form: lowercase ASCII, internationalized labels as punycode
// ("xn--"), as browsers send them in Host headers.
std::string CanonicalHost(std::string host) {
  // Percent-escaped hosts ("%D0%BF...") first become UTF-8; escapes that do not
  // decode to UTF-8 ("x.%ca") stay escaped (found by processor_fuzz).
  if (host.find('%') != std::string::npos) {
    std::string decoded;
    for (size_t i = 0; i < host.size(); ++i) {
      if (host[i] == '%' && i + 2 < host.size() && HexValue(host[i + 1]) >= 0 && HexValue(host[i + 2]) >= 0) {
        decoded.push_back(static_cast<char>(HexValue(host[i + 1]) * 16 + HexValue(host[i + 2])));
        i += 2;
      } else {
        decoded.push_back(host[i]);
      }
    }
    if (!IsValidUtf8(decoded)) return NormalizePercent(Lower(host));
    host = std::move(decoded);
  }
  const bool ascii = std::all_of(host.begin(), host.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return Lower(host);
  char* out = nullptr;
  int rc = idn2_to_ascii_8z(host.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  if (rc != IDN2_OK) rc = idn2_to_ascii_8z(host.c_str(), &out, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
  if (rc != IDN2_OK || out == nullptr) return host;  // not a valid IDN: keep as given
  std::string result = Lower(out);
  idn2_free(out);
  return result;
}

}  // namespace

std::string UrlHost(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') return Lower(rest.substr(0, rest.find(']') + 1));
  return Lower(rest.substr(0, rest.find(':')));
}

std::string CanonicalUrl(std::string_view url, const std::vector<std::string>& extra_tracking_params) {
  // Trim surrounding whitespace the scrapers leave in.
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.front()))) url.remove_prefix(1);
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back()))) url.remove_suffix(1);
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return std::string(url);
  const std::string scheme = Lower(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const size_t auth_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, auth_end);
  rest = auth_end == std::string_view::npos ? std::string_view{} : rest.substr(auth_end);
  std::string userinfo;
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    userinfo = std::string(authority.substr(0, at + 1));
    authority = authority.substr(at + 1);
  }
  std::string host(authority);
  std::string port;
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    host = std::string(authority.substr(0, colon));
    port = std::string(authority.substr(colon + 1));
  }
  while (!host.empty() && host.back() == '.') host.pop_back();
  host = CanonicalHost(std::move(host));
  if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) port.clear();

  std::string_view path = rest.substr(0, rest.find('?'));
  std::string_view query =
      rest.find('?') == std::string_view::npos ? std::string_view{} : rest.substr(rest.find('?') + 1);
  std::vector<std::string> params;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    const std::string_view p = query.substr(pos, amp - pos);
    if (!p.empty() && !IsTracking(p.substr(0, p.find('=')), extra_tracking_params)) {
      params.push_back(NormalizePercent(p));
    }
    pos = amp + 1;
  }
  std::stable_sort(params.begin(), params.end());

  std::string out = scheme + "://" + userinfo + host;
  if (!port.empty()) out += ":" + port;
  out += RemoveDotSegments(NormalizePercent(path));
  for (size_t i = 0; i < params.size(); ++i) {
    out += (i == 0 ? '?' : '&');
    out.append(params[i]);
  }
  return out;
}

}  // namespace ingestd
