import KubeModels

/// The small JSONPath subset CRDs use for printer columns, scale paths and selectable fields:
/// `.a.b`, `.a[0]`, `.a['x.y']`, `.a[*].b` and `.a[?(@.type=="Ready")].status`.
struct JSONPath: Sendable {
    private enum Step: Sendable {
        case key(String)
        case index(Int)
        case all
        case filter(path: [String], value: String)
    }

    private var steps: [Step]

    /// Parses `path`, with or without braces (`{.spec.replicas}`).
    init(_ path: String) {
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
                guard let close = text[index...].firstIndex(of: "]") else { break }
                var inner = String(text[text.index(after: index)..<close])
                index = text.index(after: close)
                if inner == "*" {
                    steps.append(.all)
                } else if let number = Int(inner) {
                    steps.append(.index(number))
                } else if inner.hasPrefix("?(@.") {
                    inner = String(inner.dropFirst(4).dropLast())
                    let parts = inner.components(separatedBy: "==")
                    guard parts.count == 2 else { continue }
                    let value = parts[1].trimmingSpaces.trimmingCharacters(in: ["\"", "'"])
                    steps.append(.filter(path: parts[0].trimmingSpaces.split(separator: ".").map(String.init), value: value))
                } else {
                    steps.append(.key(inner.trimmingCharacters(in: ["\"", "'"])))
                }
            } else {
                index = text.index(after: index)
            }
        }
    }

    /// The values the path selects (several when it passes `[*]` or a filter).
    func evaluate(_ root: JSONValue) -> [JSONValue] {
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
    func first(_ root: JSONValue) -> JSONValue? { evaluate(root).first }

    /// The object keys of a plain dotted path (`.spec.replicas` → `["spec", "replicas"]`), for writing.
    var keyPath: [String]? {
        var keys: [String] = []
        for step in steps {
            guard case .key(let name) = step else { return nil }
            keys.append(name)
        }
        return keys
    }

    /// How kubectl prints a value in a string cell.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .null: return "<none>"
        default: return JSONWriter.string(value)
        }
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var view = Substring(self)
        while let first = view.first, set.contains(first) { view = view.dropFirst() }
        while let last = view.last, set.contains(last) { view = view.dropLast() }
        return String(view)
    }
}

extension JSONValue {
    /// Sets the value at a path of object keys, creating intermediate objects.
    mutating func set(path: [String], to value: JSONValue?) {
        guard let head = path.first else {
            if let value { self = value }
            return
        }
        var members = objectValue ?? [:]
        if path.count == 1 {
            members[head] = value
        } else {
            var child = members[head] ?? .object([:])
            if child.objectValue == nil { child = .object([:]) }
            child.set(path: Array(path.dropFirst()), to: value)
            members[head] = child
        }
        self = .object(members)
    }
}
