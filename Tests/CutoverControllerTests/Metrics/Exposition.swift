import AsyncHTTPClient
import ClusterHarness
import Foundation

/// A scraped `/metrics` body, parsed just enough to look values up: one sample per line,
/// `name{label="value",...} number`. The format itself is checked by `promtool` and Prometheus.
struct Exposition: Sendable, CustomStringConvertible {
    struct Sample: Sendable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let text: String
    let samples: [Sample]

    init(_ text: String) {
        self.text = text
        samples = text.split(separator: "\n").compactMap { Self.parse(String($0)) }
    }

    var description: String { text }

    /// The value of the one sample named `name` whose labels include `labels`; nil if none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }?.value
    }

    /// The samples named `name`.
    func all(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    /// Whether the text has `# HELP` and `# TYPE` lines for `family`.
    func describes(_ family: String, type: String) -> Bool {
        text.contains("# HELP \(family) ") && text.contains("# TYPE \(family) \(type)\n")
    }

    private static func parse(_ line: String) -> Sample? {
        guard !line.hasPrefix("#"), !line.isEmpty else { return nil }
        var labels: [String: String] = [:]
        let name: String
        let rest: Substring
        if let open = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") {
            name = String(line[..<open])
            var inner = line[line.index(after: open)..<close]
            while let equals = inner.firstIndex(of: "=") {
                let key = inner[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: ", "))
                inner = inner[inner.index(equals, offsetBy: 2)...]  // past `="`
                guard let quote = inner.firstIndex(of: "\"") else { break }
                labels[key] = String(inner[..<quote])
                inner = inner[inner.index(after: quote)...]
            }
            rest = line[line.index(after: close)...]
        } else {
            guard let space = line.firstIndex(of: " ") else { return nil }
            name = String(line[..<space])
            rest = line[space...]
        }
        guard let number = rest.split(separator: " ").first, let value = Double(number) ?? Self.special(number) else { return nil }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func special(_ text: Substring) -> Double? {
        switch text.lowercased() {
        case "+inf", "inf": return .infinity
        case "-inf": return -.infinity
        case "nan": return .nan
        default: return nil
        }
    }

    /// GETs `url` and parses the body; throws on a non-200 answer.
    static func scrape(_ url: String, http: HTTPClient) async throws -> Exposition {
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        let text = String(buffer: body)
        guard response.status == .ok else { throw WaitTimedOut(description: "GET \(url) answered \(response.status): \(text)") }
        let type = response.headers.first(name: "Content-Type") ?? ""
        guard type.hasPrefix("text/plain") else { throw WaitTimedOut(description: "GET \(url) answered Content-Type \(type)") }
        return Exposition(text)
    }
}

/// Debian's `promtool` (package `prometheus`): `check metrics` lints an exposition as Prometheus parses it.
enum Promtool {
    static func check(_ exposition: String) throws -> (ok: Bool, output: String) {
        let candidates = ["/usr/bin/promtool"] + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/promtool" }
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw WaitTimedOut(description: "promtool is not installed; install it with `apt-get install -y prometheus` (or run `.ci/run`)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(exposition.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus == 0, String(decoding: data, as: UTF8.self))
    }
}
