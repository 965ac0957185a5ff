/// The Markdown the reports share: tables whose cells stay on one line, and inline code.
enum Markdown {
    /// A Markdown table; cells lose their line breaks and escape `|`.
    static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let line = { (cells: [String]) in "| " + cells.map(cell).joined(separator: " | ") + " |" }
        return [line(header), "|" + String(repeating: "---|", count: header.count)] + rows.map(line)
    }

    static func cell(_ text: String) -> String {
        inline(text).replacing("|", with: "\\|")
    }

    /// One line of text: line breaks (from a hook's answer body) become spaces.
    static func inline(_ text: String) -> String {
        text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// `text` as inline code (a backtick inside becomes `'`).
    static func code(_ text: String) -> String { "`\(text.replacing("`", with: "'"))`" }
}
