import Foundation
import Testing
@testable import KubeModels

@Suite struct JSONValueDecoderTests {
    /// The fast decoder gives the same models as Foundation's for real API objects.
    @Test(arguments: ["deployment", "service", "lease", "event", "status-invalid"])
    func agreesWithFoundation(name: String) throws {
        let data = try ModelDecodingTests.fixture(name)
        let fast = try JSONValueDecoder().decode(DynamicObject.self, from: Array(data))
        let slow = try JSONDecoder().decode(DynamicObject.self, from: data)
        #expect(fast == slow)
        if name == "deployment" {
            #expect(try JSONValueDecoder().decode(Deployment.self, from: Array(data)) == JSONDecoder().decode(Deployment.self, from: data))
        }
    }

    struct Sample: Decodable, Equatable {
        var small: Int32
        var list: [Int]
        var optional: String?
        var flag: Bool
    }

    @Test func typeErrorsNameThePath() throws {
        let good = try JSONValueDecoder().decode(Sample.self, from: Array(#"{"small": 7, "list": [1, 2], "optional": null, "flag": true}"#.utf8))
        #expect(good == Sample(small: 7, list: [1, 2], optional: nil, flag: true))
        #expect(throws: DecodingError.self) {
            try JSONValueDecoder().decode(Sample.self, from: Array(#"{"small": 3000000000, "list": [], "flag": true}"#.utf8))
        }
        do {
            _ = try JSONValueDecoder().decode(Sample.self, from: Array(#"{"small": 1, "list": [1, "x"], "flag": true}"#.utf8))
            Issue.record("expected a type mismatch")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["list", "[1]"])
        }
        #expect(throws: DecodingError.self) {
            try JSONValueDecoder().decode(Sample.self, from: Array(#"{"small": 1, "list": []}"#.utf8))
        }
        #expect(throws: JSONParser.Failure.self) { try JSONValueDecoder().decode(Sample.self, from: Array("{oops".utf8)) }
    }
}
