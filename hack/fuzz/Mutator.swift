import KubeModels

/// SplitMix64: a small, seedable generator, so a seed replays every input exactly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Derives invalid, odd and hostile Rollouts from a valid one: each input applies one to three
/// mutations at random places of the spec (and of the labels and annotations).
struct Mutator {
    /// A position in the document: object keys and array indexes.
    enum Step: Hashable { case key(String), index(Int) }

    /// What one input did, for the report and the replay.
    var applied: [String] = []
    private var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    mutating func mutate(_ base: JSONValue) -> JSONValue {
        applied = []
        var document = base
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let paths = Self.paths(in: document).filter { path in
                guard case .key(let first) = path.first else { return false }
                if first == "spec" { return path.count > 1 }
                return first == "metadata" && path.count > 2 && [.key("labels"), .key("annotations")].contains(path[1])
            }
            guard let path = paths.randomElement(using: &random) else { break }
            let current = document[steps: path] ?? .null
            let (name, replacement) = mutation(of: current, at: path)
            applied.append("\(Self.describe(path)): \(name)")
            document[steps: path] = replacement
        }
        return document
    }

    /// Every path to a value in `value` down to 32 levels, parents before children (an earlier
    /// mutation may have nested a value thousands of levels deep).
    static func paths(in value: JSONValue, prefix: [Step] = []) -> [[Step]] {
        var result: [[Step]] = prefix.isEmpty ? [] : [prefix]
        guard prefix.count < 32 else { return result }
        switch value {
        case .object(let members):
            for key in members.keys.sorted() { result += paths(in: members[key]!, prefix: prefix + [.key(key)]) }
        case .array(let elements):
            for index in elements.indices { result += paths(in: elements[index], prefix: prefix + [.index(index)]) }
        default: break
        }
        return result
    }

    /// `value` inside `levels` containers, arrays and objects taking turns.
    static func nest(_ value: JSONValue, levels: Int) -> JSONValue {
        var nested = value
        for level in 0..<levels { nested = level % 2 == 0 ? .array([nested]) : .object(["n": nested]) }
        return nested
    }

    static func describe(_ path: [Step]) -> String {
        path.map { step in
            switch step {
            case .key(let key): return "." + key
            case .index(let index): return "[\(index)]"
            }
        }.joined()
    }

    private mutating func pick<T>(_ choices: [T]) -> T { choices.randomElement(using: &random)! }

    /// One mutation fitting the value and its place: its name and the new value (nil removes it).
    private mutating func mutation(of value: JSONValue, at path: [Step]) -> (String, JSONValue?) {
        let key: String = {
            if case .key(let key) = path.last { return key }
            return ""
        }()
        var kinds = ["wrong type", "remove", "deep nesting", "unicode", "huge string", "unknown field", "duplicate"]
        switch value {
        case .int, .double: kinds += ["number", "number", "number"]
        case .string: kinds += ["string", "string"]
        default: break
        }
        if key == "query" || key == "baseline" { kinds += ["promql", "promql", "promql"] }
        if key == "url" || key == "address" { kinds += ["url", "url", "url"] }
        if case .object = value { kinds += ["near 1.5 MiB"] }
        switch pick(kinds) {
        case "wrong type":
            let choice: JSONValue = pick(["x", 7, -1, true, .null, [:], [], 0.5, ["a": 1], [1, "2"]])
            return ("wrong type \(JSONWriter.string(choice))", choice)
        case "remove": return ("removed", nil)
        case "deep nesting":
            let levels = pick([64, 600, 2_000, 9_900, 12_000])
            return ("nested \(levels) levels deeper", Self.nest(value, levels: levels))
        case "unicode":
            let text = pick([
                "\u{202E}evil", "🚀release", "e\u{301}", "\u{0}", "\u{FFFF}", "ﬁ", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇", " ", "a\nb", "ǅ", "\u{200B}",
            ])
            return ("unicode \(JSONWriter.string(.string(text)))", .string(text))
        case "huge string":
            let size = pick([253, 64 << 10, 1 << 20])
            return ("string of \(size) bytes", .string(String(repeating: "a", count: size)))
        case "unknown field":
            if case .object(var members) = value {
                members["fuzzUnknown"] = "surprise"
                return ("unknown field", .object(members))
            }
            return ("object instead", ["fuzzUnknown": value])
        case "duplicate":
            if case .array(let elements) = value, !elements.isEmpty { return ("duplicated elements", .array(elements + elements)) }
            return ("list of itself", [value, value])
        case "number":
            let choice: JSONValue = pick([
                0, -1, 2_147_483_648, -2_147_483_649, .int(.max), .int(.min), 1e308, -1e308, 0.5, 1e-300, 100, 101, 86_400_000,
            ])
            return ("number \(JSONWriter.string(choice))", choice)
        case "string":
            let choice: String = pick(["", "0", "-1s", "1.5s", "10x", "Manual", "manual", "99999999999h", "1h30m", "UPPER", "a-", "-a", "a.b", "*"])
            return ("string \(JSONWriter.string(.string(choice)))", .string(choice))
        case "promql":
            let choice: String = pick([
                "sum(rate(", "{{", "{{unknown}}", "}}", "up[", "up{job=\"{{namespace}}\"", "{{green}}{{blue}}", "vector(NaN)",
                "1/0", "-Inf", "absent(up)", "label_replace(", "sum by (le) (histogram_quantile(0.99, x))",
            ])
            return ("query \(JSONWriter.string(.string(choice)))", .string(choice))
        case "url":
            let choice: String = pick([
                "not a url", "http://", "ftp://example.com", "http://[::1", "//host/path", "http://169.254.169.254/latest/meta-data",
                "http://user:pass@127.0.0.1:1/", "javascript:alert(1)", "http://a b/", "https://127.0.0.1:0/", "http://localhost:99999/",
                "http://xn--nxasmq6b.example/", "file:///etc/passwd",
            ])
            return ("url \(JSONWriter.string(.string(choice)))", .string(choice))
        default:
            // A value big enough that the Rollout lands just under or just over etcd's 1.5 MiB.
            let size = pick([1_400_000, 1_560_000, 1_600_000])
            var members = value.objectValue ?? [:]
            members["fuzzPad"] = .string(String(repeating: "p", count: size))
            return ("padded by \(size) bytes", .object(members))
        }
    }
}

extension JSONValue {
    /// The value at `path`; setting nil removes it (an array element becomes null).
    subscript(steps path: [Mutator.Step]) -> JSONValue? {
        get {
            var current: JSONValue? = self
            for step in path {
                switch step {
                case .key(let key): current = current?[key]
                case .index(let index):
                    guard let elements = current?.arrayValue, elements.indices.contains(index) else { return nil }
                    current = elements[index]
                }
            }
            return current
        }
        set {
            guard let first = path.first else {
                self = newValue ?? .null
                return
            }
            let rest = Array(path.dropFirst())
            switch (first, self) {
            case (.key(let key), .object(var members)):
                if rest.isEmpty {
                    members[key] = newValue
                } else {
                    members[key]?[steps: rest] = newValue
                }
                self = .object(members)
            case (.index(let index), .array(var elements)) where elements.indices.contains(index):
                if rest.isEmpty {
                    elements[index] = newValue ?? .null
                } else {
                    elements[index][steps: rest] = newValue
                }
                self = .array(elements)
            default: break
            }
        }
    }
}
