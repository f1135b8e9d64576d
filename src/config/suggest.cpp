#include "drfm/config/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace drfm::config {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
    const std::size_t n = a.size(), m = b.size();
    // d[i][j] = distance of a[0..i) and b[0..j) (full table: keys and options are short).
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

std::size_t typo_limit(std::string_view word) { return std::max<std::size_t>(2, word.size() / 3); }

std::size_t typo_distance(std::string_view word, std::string_view candidate) {
    std::size_t distance = edit_distance(word, candidate);
    std::size_t shorter = std::min(word.size(), candidate.size());
    if (shorter >= 3 && edit_distance(word.substr(0, shorter), candidate.substr(0, shorter)) == 0)
        distance = std::min(distance, typo_limit(word));
    return distance;
}

std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string_view>& candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = typo_limit(word) + 1;
    for (auto candidate : candidates) {
        std::size_t distance = typo_distance(word, candidate);
        if (distance < best_distance) {
            best_distance = distance;
            best = std::string(candidate);
        }
    }
    return best;
}

}  // namespace drfm::config
