import Foundation
import Yams

/// `-o` of `get`: the tree for people, JSON or YAML for scripts.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// ``TreeRenderer``'s text.
    case tree
    /// The view as pretty-printed JSON with sorted keys.
    case json
    /// The view as YAML with sorted keys.
    case yaml

    /// Parses `-o`; the empty text means the tree.
    public init(flag: String?) throws {
        guard let flag, !flag.isEmpty else {
            self = .tree
            return
        }
        guard let format = OutputFormat(rawValue: flag) else {
            throw CLIError.usage("unable to match a printer suitable for the output format \"\(flag)\", allowed formats are: json,yaml")
        }
        self = format
    }

    /// `view` in this format, as the lines to print: `tree` draws it for people (``TreeRenderer``
    /// for a ``ReleaseView``, ``GroupTreeRenderer`` for a ``ReleaseGroupView``).
    public func render<View: Encodable>(_ view: View, tree: (View) -> [String]) throws -> [String] {
        switch self {
        case .tree:
            return tree(view)
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return [String(decoding: try encoder.encode(view), as: UTF8.self)]
        case .yaml:
            let encoder = YAMLEncoder()
            encoder.options.sortKeys = true
            var text = try encoder.encode(view)
            if text.hasSuffix("\n") { text.removeLast() }
            return [text]
        }
    }
}
