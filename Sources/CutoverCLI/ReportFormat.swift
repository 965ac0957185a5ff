import Foundation

/// `--format` of `report`: Markdown for a ticket, JSON for scripts.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// ``ReleaseReport/markdown()``.
    case markdown
    /// ``ReleaseReport`` as pretty-printed JSON with sorted keys (the record's fields as in
    /// `status.history`, plus `rollout`, `namespace` and `hooks`).
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
    public func render(_ report: ReleaseReport) throws -> [String] {
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
