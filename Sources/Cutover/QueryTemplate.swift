/// PromQL with `{{variable}}` placeholders, filled in by the planner before a measurement.
public enum QueryTemplate {
    /// The variables a query may use.
    public static let knownVariables: Set<String> = ["namespace", "rollout", "green", "blue", "service", "interval"]

    /// One piece of a query: literal text or a placeholder name (spaces inside braces ignored).
    enum Piece: Equatable {
        case text(String)
        case variable(name: String, written: String)
    }

    /// Splits `query` into pieces; `nil` when a `{{` is never closed.
    static func pieces(of query: String) -> [Piece]? {
        let chars = Array(query)
        var pieces: [Piece] = []
        var text = ""
        var index = 0
        while index < chars.count {
            if chars[index] == "{", index + 1 < chars.count, chars[index + 1] == "{" {
                var end = index + 2
                while end + 1 < chars.count, !(chars[end] == "}" && chars[end + 1] == "}") { end += 1 }
                guard end + 1 < chars.count else { return nil }
                if !text.isEmpty { pieces.append(.text(text)) }
                text = ""
                let name = String(chars[(index + 2)..<end]).trimmingSpaces
                pieces.append(.variable(name: name, written: String(chars[index...(end + 1)])))
                index = end + 2
            } else {
                text.append(chars[index])
                index += 1
            }
        }
        if !text.isEmpty { pieces.append(.text(text)) }
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
