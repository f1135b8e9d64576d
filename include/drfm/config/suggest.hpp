#pragma once
/// @file
/// "Did you mean ...?" suggestions for misspelt keys, sections, choices and options.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drfm::config {

/// Case-insensitive optimal-string-alignment distance: insertions, deletions, substitutions and
/// transpositions of neighbours each cost 1 ("bandwith" → "bandwidth" is 1, "nrtain" → "ntrain" 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// Largest typo_distance still taken as a typo of `word`: max(2, |word| / 3).
std::size_t typo_limit(std::string_view word);

/// edit_distance, except that an abbreviation or extension of at least 3 letters ("diagonal" for
/// "diag", "band" for "bandwidth") counts as typo_limit(word): accepted, but after real typos.
std::size_t typo_distance(std::string_view word, std::string_view candidate);

/// The candidate closest to `word` by typo_distance, if that is ≤ typo_limit(word).
/// Ties go to the earliest candidate.
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string_view>& candidates);

}  // namespace drfm::config
