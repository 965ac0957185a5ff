import Foundation
import KubeModels
import Testing

/// The API server accepts documents nested up to 10,000 levels (Go's `encoding/json` limit), and
/// a Rollout's `spec.template` keeps unknown fields, so objects that deep reach every client.
@Suite("JSON nesting depth")
struct JSONParserDepthTests {
    static func nested(_ depth: Int) -> String {
        String(repeating: "{\"a\":[", count: depth / 2) + (depth % 2 == 1 ? "[]" : "1") + String(repeating: "]}", count: depth / 2)
    }

    @Test("accepts 10,000 levels and refuses 10,001 with the limit in the message")
    func limit() throws {
        let value = try JSONParser.parse(Self.nested(10_000))
        var depth = 0
        var current: JSONValue? = value
        while let next = current?["a"] ?? current?.arrayValue?.first {
            depth += 1
            current = next
        }
        #expect(depth == 10_000)
        let failure = #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Self.nested(10_002)) }
        #expect(failure?.message == "document nested too deeply (more than 10000 levels)")
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("[[1]]", maximumDepth: 1) }
        #expect(try JSONParser.parse("[1]", maximumDepth: 1) == [1])
    }

    @Test("a value 10,000 levels deep is compared, hashed, encoded, written and freed on a task without exhausting the stack")
    func deepValueOnATask() async throws {
        struct Holder: Codable { var template: JSONValue }
        let text = Self.nested(10_000)
        let written = try await Task.detached {
            let value = try JSONParser.parse(text)
            #expect(value == (try JSONParser.parse(text)))
            #expect(Set([value]).count == 1)
            let encoded = try JSONValueEncoder().encodeBytes(Holder(template: value))
            #expect(try JSONValueDecoder().decode(Holder.self, from: encoded).template == value)
            return value.canonicalJSON
        }.value
        #expect(written == text)
    }

    @Test("malformed containers still name what was expected", arguments: [
        ("[1 2]", "expected ',' or ']' at offset 3"), ("{\"a\":1 \"b\"}", "expected ',' or '}' at offset 7"),
        ("{1:2}", "expected object key at offset 1"), ("{\"a\" 1}", "expected ':' at offset 5"),
        ("[[", "unexpected end of input at offset 2"),
    ])
    func malformed(text: String, message: String) {
        let failure = #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
        #expect(failure?.description == message)
    }
}
