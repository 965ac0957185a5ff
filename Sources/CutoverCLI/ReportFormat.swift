import Foundation

/// What `kubectl cutover report` prints: a ``ReleaseReport`` or a ``GroupReleaseReport``.
public protocol MarkdownReport: Encodable {
    /// The lines of the report as Markdown.
    func markdown() -> [String]
}

extension ReleaseReport: MarkdownReport {}
extension GroupReleaseReport: MarkdownReport {}

/// `--format` of `report`: Markdown for a ticket, JSON for scripts.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// The report's ``MarkdownReport/markdown()``.
    case markdown
    /// The report as pretty-printed JSON with sorted keys (the record's fields as in
    /// `status.history`, plus the report's own: `rollout`, `namespace` and `hooks` for a Rollout's
    /// release, `releaseGroup`, `namespace`, `members` and `abort` for a group's).
    case json

    /// Parses `--format`; nil means Markdown.
    public init(flag: String?) throws {
        guard let flag, !flag.isEmpty else {
            self = .markdown
            return
        }
        guard let format = ReportFormat(rawValue: flag) else {
            throw CLIError.usage("unknown report format \"\(flag)\", allowed formats are: markdown,json")
        }
        self = format
    }

    /// `report` in this format, as the lines to print.
    public func render(_ report: some MarkdownReport) throws -> [String] {
        switch self {
        case .markdown:
            return report.markdown()
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return [String(decoding: try encoder.encode(report), as: UTF8.self)]
        }
    }
}
