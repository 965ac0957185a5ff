import Foundation
import Testing
@testable import KubeModels

@Suite struct JSONValueEncoderTests {
    /// The tree encoder writes what Foundation's `JSONEncoder` writes, for real API objects.
    @Test(arguments: ["deployment", "service", "lease", "event", "status-invalid"])
    func agreesWithFoundation(name: String) throws {
        let object = try JSONValueDecoder().decode(DynamicObject.self, from: Array(try ModelDecodingTests.fixture(name)))
        let fast = try JSONParser.parse(try JSONValueEncoder().encodeBytes(object))
        let slow = try JSONParser.parse(Array(try JSONEncoder().encode(object)))
        #expect(fast == slow)
        if name == "deployment" {
            let deployment = try JSONValueDecoder().decode(Deployment.self, from: Array(try ModelDecodingTests.fixture(name)))
            #expect(try JSONValueEncoder().encode(deployment) == JSONParser.parse(Array(try JSONEncoder().encode(deployment))))
        }
    }

    struct Sample: Codable, Equatable {
        var small: Int32
        var big: UInt64
        var ratio: Double
        var list: [Int]
        var optional: String?
        var nested: [String: [Bool]]
        var free: JSONValue
        var when: Date
    }

    @Test func agreesWithFoundationOnEveryKindOfField() throws {
        let sample = Sample(
            small: -7, big: 9, ratio: 0.25, list: [1, 2], optional: nil, nested: ["a": [true, false]],
            free: ["x": [1, "y/z", nil, 2.5]], when: Date(timeIntervalSinceReferenceDate: 12.5))
        let tree = try JSONValueEncoder().encode(sample)
        #expect(tree["optional"] == nil)
        #expect(tree == (try JSONParser.parse(Array(try JSONEncoder().encode(sample)))))
        #expect(try JSONValueDecoder().decode(Sample.self, from: JSONValueEncoder().encodeBytes(sample)) == sample)
        // JSONValue has no unsigned case: a UInt64 past Int64.max becomes a (rounded) double.
        var huge = sample
        huge.big = .max
        #expect(try JSONValueEncoder().encode(huge)["big"] == .double(Double(UInt64.max)))
    }

    @Test func nonFiniteNumbersAreErrorsNamingThePath() {
        struct Holder: Encodable { var values: [Double] }
        do {
            _ = try JSONValueEncoder().encode(Holder(values: [1, .nan]))
            Issue.record("NaN was encoded")
        } catch EncodingError.invalidValue(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["values", "[1]"])
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
