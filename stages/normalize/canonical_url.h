// Canonical form of an article URL, so that one page scraped through different
// links gets one identity: lowercase scheme and host, no default port, no
// fragment, no tracking parameters, remaining query parameters sorted, `.` and
// `..` path segments resolved, empty path as "/", percent-escapes in one spelling
// (unreserved characters decoded, hex uppercase, raw non-ASCII escaped), and
// internationalized hosts as lowercase punycode (libidn2, UTS #46).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ingestd {

// Returns the input unchanged when it is not an absolute http(s)-like URL.
[[nodiscard]] std::string CanonicalUrl(std::string_view url,
                                       const std::vector<std::string>& extra_tracking_params = {});

// The host part of a URL, lowercased ("" when there is none).
[[nodiscard]] std::string UrlHost(std::string_view url);

}  // namespace ingestd
