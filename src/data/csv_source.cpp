// CSV reader: one sample per line, comma-separated numbers, one column is the label. Blank lines
// are skipped, CRLF line ends and a UTF-8 byte-order mark are accepted; `file.gz` is decompressed.
// Every rank keeps the (decompressed) text and parses the labels of all lines, then only the
// features of its own rows. Places in messages are `file:line:column` (1-based).
#include "readers.hpp"

#include "gz_file.hpp"

#include "drfm/core/error.hpp"

#include <charconv>
#include <cmath>

namespace drfm::data::detail {
namespace {

struct Line {
    std::int64_t begin, end;  ///< byte range in the text, without the line break
    std::int64_t number;      ///< 1-based line number
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string place(const std::string& file, const Line& line, std::int64_t byte) {
    return file + ":" + std::to_string(line.number) + ":" + std::to_string(byte - line.begin + 1);
}

// Calls fn(field index, first byte, one past the last byte) for every comma-separated field.
template <class Fn>
void for_each_field(const std::string& text, const Line& line, Fn fn) {
    std::int64_t start = line.begin;
    for (std::int64_t field = 0;; ++field) {
        std::int64_t stop = start;
        while (stop < line.end && text[stop] != ',') ++stop;
        fn(field, start, stop);
        if (stop >= line.end) return;
        start = stop + 1;
    }
}

std::int64_t count_fields(const std::string& text, const Line& line) {
    std::int64_t commas = 0;
    for (std::int64_t b = line.begin; b < line.end; ++b) commas += text[b] == ',';
    return commas + 1;
}

// The number in text[begin, end) (surrounding blanks and a leading '+' allowed), else
// InputDataError naming the place `where()` (built only on failure: this runs for every field).
template <class Where>
double parse_number(const std::string& text, std::int64_t begin, std::int64_t end,
                    const Where& where, const char* what) {
    while (begin < end && is_blank(text[begin])) ++begin;
    while (end > begin && is_blank(text[end - 1])) --end;
    const auto field = [&] { return text.substr(begin, end - begin); };
    const char* first = text.data() + begin + (begin < end && text[begin] == '+' ? 1 : 0);
    const char* last = text.data() + end;
    double value = 0.0;
    auto [stop, ec] = std::from_chars(first, last, value);
    DRFM_CHECK(ec != std::errc::result_out_of_range, InputDataError, where(), ": ", what, " '",
               field(), "' is out of the range of double");
    DRFM_CHECK(begin < end && ec == std::errc() && stop == last, InputDataError, where(), ": ",
               what, " '", field(), "' is not a number");
    return value;
}

class CsvSource final : public Source {
public:
    CsvSource(std::string file, std::string text, std::vector<Line> lines, std::int64_t fields,
              std::int64_t label_field, std::vector<int> labels)
        : Source(std::move(file), fields - 1, std::move(labels)), text_(std::move(text)),
          lines_(std::move(lines)), label_field_(label_field) {}

    void read_rows(const std::vector<std::int64_t>& file_rows, HostMatrix& out) const override {
        for (size_t k = 0; k < file_rows.size(); ++k) {
            const Line& line = lines_[static_cast<size_t>(file_rows[k])];
            std::int64_t j = 0;
            for_each_field(text_, line, [&](std::int64_t field, std::int64_t b, std::int64_t e) {
                if (field == label_field_) return;
                const auto where = [&] { return place(name(), line, b); };
                double v = parse_number(text_, b, e, where, "field");
                DRFM_CHECK(std::isfinite(v), InputDataError, where(), ": field ", field + 1, " is ",
                           v, "; NaN and Inf are not allowed in the data");
                out(static_cast<std::int64_t>(k), j++) = v;
            });
        }
    }

private:
    std::string text_;
    std::vector<Line> lines_;
    std::int64_t label_field_;
};

}  // namespace

std::unique_ptr<Source> open_csv(const std::string& file, std::int64_t label_column, bool header,
                                 const mpi::Comm& comm) {
    std::unique_ptr<Source> source;
    mpi::collective(comm, [&] {
        require_file(file, "CSV data file");
        std::string text = read_whole_file(file);
        std::vector<Line> lines;
        std::vector<int> labels;
        std::int64_t fields = 0, label_field = 0, first_line = 0, number = 0;
        bool skip_header = header;
        std::int64_t pos = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
        const auto size = static_cast<std::int64_t>(text.size());
        for (; pos < size; ++number) {
            const auto newline = text.find('\n', static_cast<size_t>(pos));
            const std::int64_t next = newline == std::string::npos ? size : std::int64_t(newline);
            Line line{pos, next > pos && text[next - 1] == '\r' ? next - 1 : next, number + 1};
            pos = next + 1;
            std::int64_t b = line.begin;
            while (b < line.end && is_blank(text[b])) ++b;
            if (b == line.end) continue;
            if (skip_header) {
                skip_header = false;
                continue;
            }
            const std::int64_t count = count_fields(text, line);
            if (fields == 0) {
                fields = count;
                first_line = line.number;
                DRFM_CHECK(fields >= 2, InputDataError, file, ":", line.number,
                           ": one column only; ",
                           "a CSV sample needs a label and at least one feature");
                label_field = label_column < 0 ? fields - 1 : label_column;
                DRFM_CHECK(label_field < fields, InputDataError, "data.label_column = ",
                           label_column, " but ", file, ":", line.number, " has only ", fields,
                           " columns (0-based label column)");
            }
            DRFM_CHECK(count == fields, InputDataError, file, ":", line.number, ": ", count,
                       " fields, but line ", first_line, " has ", fields, " (ragged row)");
            for_each_field(text, line, [&](std::int64_t field, std::int64_t fb, std::int64_t fe) {
                if (field != label_field) return;
                const auto where = [&] { return place(file, line, fb); };
                const double label = parse_number(text, fb, fe, where, "label");
                labels.push_back(checked_label(label, where()));
            });
            lines.push_back(line);
        }
        source = std::make_unique<CsvSource>(file, std::move(text), std::move(lines),
                                             std::max<std::int64_t>(fields, 2), label_field,
                                             std::move(labels));
    });
    return source;
}

}  // namespace drfm::data::detail
