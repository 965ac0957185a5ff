/// PromQL with `{{variable}}` placeholders, filled in by the planner before a measurement.
public enum QueryTemplate {
    /// The variables a query may use.
    public static let knownVariables: Set<String> = ["namespace", "rollout", "green", "blue", "service", "interval"]

    /// One piece of a query: literal text or a placeholder name (spaces inside braces ignored).
    enum Piece: Equatable {
        case text(String)
        case variable(name: String, written: String)
    }

    /// Splits `query` into pieces; `nil` when a `{{` is never closed. Works on UTF-8 bytes: the
    /// braces are ASCII, so they never split a multi-byte character. (Runs on every plan, for
    /// validation: one pass over contiguous bytes.)
    static func pieces(of query: String) -> [Piece]? {
        var query = query
        return query.withUTF8 { bytes -> [Piece]? in
            let brace = UInt8(ascii: "{"), close = UInt8(ascii: "}")
            func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
            var pieces: [Piece] = []
            var textStart = 0
            var index = 0
            while index < bytes.count {
                guard bytes[index] == brace, index + 1 < bytes.count, bytes[index + 1] == brace else {
                    index += 1
                    continue
                }
                let nameStart = index + 2
                var end = nameStart
                while end < bytes.count, !(bytes[end] == close && end + 1 < bytes.count && bytes[end + 1] == close) { end += 1 }
                guard end < bytes.count else { return nil }
                if textStart != index { pieces.append(.text(text(textStart..<index))) }
                let afterClose = end + 2
                pieces.append(.variable(name: text(nameStart..<end).trimmingSpaces, written: text(index..<afterClose)))
                index = afterClose
                textStart = afterClose
            }
            if textStart != bytes.count { pieces.append(.text(text(textStart..<bytes.count))) }
            return pieces
        }
    }

    /// The variable names used in `query`, in order, or `nil` when a `{{` is never closed.
    public static func variables(in query: String) -> [String]? {
        pieces(of: query)?.compactMap {
            if case .variable(let name, _) = $0 { return name }
            return nil
        }
    }

    /// `query` with every `{{name}}` replaced by `variables[name]`; unknown names and an unclosed
    /// `{{` are left as written (validation refuses them before any query is rendered).
    public static func render(_ query: String, variables: [String: String]) -> String {
        guard let pieces = pieces(of: query) else { return query }
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let text): out += text
            case .variable(let name, let written): out += variables[name] ?? written
            }
        }
        return out
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars = scalars.dropFirst() }
        while scalars.last == " " { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
