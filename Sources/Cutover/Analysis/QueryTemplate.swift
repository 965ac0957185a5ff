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
    /// braces are ASCII, so they never split a multi-byte character.
    static func pieces(of query: String) -> [Piece]? {
        let bytes = query.utf8
        let brace = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        var pieces: [Piece] = []
        var textStart = bytes.startIndex
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let next = bytes.index(after: index)
            guard bytes[index] == brace, next != bytes.endIndex, bytes[next] == brace else {
                index = next
                continue
            }
            let nameStart = bytes.index(after: next)
            var end = nameStart
            while end != bytes.endIndex {
                let after = bytes.index(after: end)
                if bytes[end] == close, after != bytes.endIndex, bytes[after] == close { break }
                end = after
            }
            guard end != bytes.endIndex else { return nil }
            if textStart != index { pieces.append(.text(String(query[textStart..<index]))) }
            let afterClose = bytes.index(end, offsetBy: 2)
            pieces.append(.variable(name: String(query[nameStart..<end]).trimmingSpaces, written: String(query[index..<afterClose])))
            index = afterClose
            textStart = afterClose
        }
        if textStart != bytes.endIndex { pieces.append(.text(String(query[textStart...]))) }
        return pieces
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
