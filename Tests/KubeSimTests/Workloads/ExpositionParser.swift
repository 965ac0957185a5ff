/// A small parser for the Prometheus text format, enough to read back what the simulator exposes
/// the way a scraper would: every sample line becomes name, labels and value.
struct ExpositionSample: Hashable {
    var name: String
    var labels: [String: String]
    var value: Double
}

struct ExpositionParseError: Error, CustomStringConvertible {
    var line: String
    var description: String { "cannot parse exposition line: \(line)" }
}

struct ParsedExposition {
    var samples: [ExpositionSample] = []
    /// `# TYPE` per metric family.
    var types: [String: String] = [:]
    var helps: Set<String> = []

    init(_ text: String) throws {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { continue }
            if line.hasPrefix("# ") {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                guard parts.count >= 3 else { throw ExpositionParseError(line: String(line)) }
                if parts[1] == "TYPE" { types[parts[2]] = parts.count > 3 ? parts[3] : "" }
                if parts[1] == "HELP" { helps.insert(parts[2]) }
                continue
            }
            samples.append(try ParsedExposition.sample(Array(line)))
        }
    }

    private static func sample(_ chars: [Character]) throws -> ExpositionSample {
        var index = 0
        var name = ""
        while index < chars.count, chars[index] != "{", chars[index] != " " {
            name.append(chars[index])
            index += 1
        }
        var labels: [String: String] = [:]
        if index < chars.count, chars[index] == "{" {
            index += 1
            while index < chars.count, chars[index] != "}" {
                var key = ""
                while index < chars.count, chars[index] != "=" {
                    key.append(chars[index])
                    index += 1
                }
                guard index + 1 < chars.count, chars[index + 1] == "\"" else { throw ExpositionParseError(line: String(chars)) }
                index += 2
                var value = ""
                while index < chars.count, chars[index] != "\"" {
                    if chars[index] == "\\", index + 1 < chars.count {
                        index += 1
                        value.append(chars[index] == "n" ? "\n" : chars[index])
                    } else {
                        value.append(chars[index])
                    }
                    index += 1
                }
                guard index < chars.count else { throw ExpositionParseError(line: String(chars)) }
                index += 1
                labels[key] = value
                if index < chars.count, chars[index] == "," { index += 1 }
            }
            index += 1
        }
        guard index < chars.count, chars[index] == " " else { throw ExpositionParseError(line: String(chars)) }
        let text = String(chars[(index + 1)...])
        let value: Double? = switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
        guard let value else { throw ExpositionParseError(line: String(chars)) }
        return ExpositionSample(name: name, labels: labels, value: value)
    }

    /// The sum of the samples named `name` whose labels include `matching`.
    func sum(_ name: String, _ matching: [String: String] = [:]) -> Double {
        samples.filter { sample in
            sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value }
        }.reduce(0) { $0 + $1.value }
    }
}
