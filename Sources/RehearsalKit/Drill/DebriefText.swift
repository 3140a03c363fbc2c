/// The debrief for a terminal: the Markdown without its markup, tables as aligned columns.
public enum DebriefText {
    public static func plain(_ markdown: String) -> String {
        var out: [String] = []
        var table: [[String]] = []
        func flush() {
            guard !table.isEmpty else { return }
            let widths = (0..<(table.map(\.count).max() ?? 0)).map { column in table.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
            for row in table {
                out.append(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingWhitespace())
            }
            table = []
        }
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("|") {
                if line.allSatisfy({ "|-: ".contains($0) }) { continue }  // the header's rule
                let cells = line.dropFirst().dropLast().components(separatedBy: " | ").map { strip($0.trimmingWhitespace()) }
                table.append(cells)
                continue
            }
            flush()
            if line.hasPrefix("#") {
                let title = strip(String(line.drop { $0 == "#" }).trimmingWhitespace())
                out.append(title)
                out.append(String(repeating: line.hasPrefix("##") ? "-" : "=", count: title.count))
            } else {
                out.append(strip(line))
            }
        }
        flush()
        return out.joined(separator: "\n")
    }

    static func strip(_ text: String) -> String {
        text.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "`", with: "").replacingOccurrences(of: "\\|", with: "|")
    }
}
