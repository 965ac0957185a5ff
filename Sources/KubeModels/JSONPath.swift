/// The small JSONPath subset CRDs use for printer columns, scale paths and selectable fields, and
/// web metrics to pick their number: `.a.b`, `.a[0]`, `.a[-1]`, `.a['x.y']`, `.a[*].b` and
/// `.a[?(@.type=="Ready")].status`, with or without braces and a leading `$`.
public struct JSONPath: Sendable, Hashable {
    private enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
        case all
        case filter(path: [String], value: String)
    }

    private var steps: [Step]
    /// What is wrong with the path as written, if anything; the parse skips what it cannot read.
    public private(set) var problem: String?

    /// Parses `path`, with or without braces (`{.spec.replicas}`).
    public init(_ path: String) {
        var text = Substring(path)
        if text.hasPrefix("{"), text.hasSuffix("}") { text = text.dropFirst().dropLast() }
        if text.hasPrefix("$") { text = text.dropFirst() }
        steps = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "." {
                index = text.index(after: index)
                var name = ""
                while index < text.endIndex, text[index] != ".", text[index] != "[" {
                    name.append(text[index])
                    index = text.index(after: index)
                }
                if !name.isEmpty { steps.append(.key(name)) }
            } else if character == "[" {
                guard let close = text[index...].firstIndex(of: "]") else {
                    problem = problem ?? "has a [ without a closing ]"
                    break
                }
                var inner = String(text[text.index(after: index)..<close])
                index = text.index(after: close)
                if inner == "*" {
                    steps.append(.all)
                } else if let number = Int(inner) {
                    steps.append(.index(number))
                } else if inner.hasPrefix("?(@.") {
                    inner = String(inner.dropFirst(4).dropLast())
                    let parts = inner.components(separatedBy: "==")
                    guard parts.count == 2 else {
                        problem = problem ?? "has a filter other than [?(@.key==\"value\")]"
                        continue
                    }
                    let value = parts[1].trimmingCharacters(in: [" "]).trimmingCharacters(in: ["\"", "'"])
                    steps.append(.filter(path: parts[0].trimmingCharacters(in: [" "]).split(separator: ".").map(String.init), value: value))
                } else {
                    steps.append(.key(inner.trimmingCharacters(in: ["\"", "'"])))
                }
            } else {
                problem = problem ?? "must be made of .key and [...] steps, like {.data.value}"
                index = text.index(after: index)
            }
        }
    }

    /// The values the path selects (several when it passes `[*]` or a filter).
    public func evaluate(_ root: JSONValue) -> [JSONValue] {
        var current = [root]
        for step in steps {
            var next: [JSONValue] = []
            for value in current {
                switch step {
                case .key(let name): if let child = value[name] { next.append(child) }
                case .index(let position):
                    if let array = value.arrayValue {
                        let resolved = position < 0 ? array.count + position : position
                        if array.indices.contains(resolved) { next.append(array[resolved]) }
                    }
                case .all: next.append(contentsOf: value.arrayValue ?? Array((value.objectValue ?? [:]).values))
                case .filter(let path, let expected):
                    for element in value.arrayValue ?? [] {
                        if let found = element[path: path], JSONPath.text(found) == expected { next.append(element) }
                    }
                }
            }
            current = next
        }
        return current
    }

    /// The single value the path selects, if any.
    public func first(_ root: JSONValue) -> JSONValue? { evaluate(root).first }

    /// The object keys of a plain dotted path (`.spec.replicas` → `["spec", "replicas"]`), for writing.
    public var keyPath: [String]? {
        var keys: [String] = []
        for step in steps {
            guard case .key(let name) = step else { return nil }
            keys.append(name)
        }
        return keys
    }

    /// How kubectl prints a value in a string cell.
    public static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .null: return "<none>"
        default: return JSONWriter.string(value)
        }
    }
}

extension String {
    /// Without the leading and trailing characters in `set`.
    func trimmingCharacters(in set: Set<Character>) -> String {
        var view = Substring(self)
        while let first = view.first, set.contains(first) { view = view.dropFirst() }
        while let last = view.last, set.contains(last) { view = view.dropLast() }
        return String(view)
    }
}
