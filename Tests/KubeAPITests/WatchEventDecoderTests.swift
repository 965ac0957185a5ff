import Foundation
import KubeModels
import NIOCore
import Testing
@testable import KubeAPI

@Suite struct WatchEventDecoderTests {
    static let stream = """
        {"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"10"},"data":{"greeting":"grüß dich ✓"}}}
        {"type":"MODIFIED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"11"},"data":{"greeting":"hej"}}}
        {"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"12","annotations":{"k8s.io/initial-events-end":"true"}}}}

        {"type":"DELETED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"13"}}}

        """

    static func describe(_ update: WatchUpdate<ConfigMap>) -> String {
        switch update {
        case .added(let o): return "ADDED \(o.metadata.resourceVersion!) \(o.data?["greeting"] ?? "")"
        case .modified(let o): return "MODIFIED \(o.metadata.resourceVersion!) \(o.data?["greeting"] ?? "")"
        case .deleted(let o): return "DELETED \(o.metadata.resourceVersion!)"
        case .bookmark(let rv, let end): return "BOOKMARK \(rv) \(end)"
        }
    }

    static let expected = ["ADDED 10 grüß dich ✓", "MODIFIED 11 hej", "BOOKMARK 12 true", "DELETED 13"]

    /// Splits the stream into two chunks at every byte offset, including inside multi-byte characters.
    @Test func everySplitPointGivesTheSameEvents() throws {
        let bytes = Array(Self.stream.utf8)
        for split in 0...bytes.count {
            var decoder = WatchEventDecoder<ConfigMap>()
            var seen: [String] = []
            decoder.feed(ByteBuffer(bytes: bytes[..<split]))
            while let update = try decoder.next() { seen.append(Self.describe(update)) }
            decoder.feed(ByteBuffer(bytes: bytes[split...]))
            while let update = try decoder.next() { seen.append(Self.describe(update)) }
            if let last = try decoder.finish() { seen.append(Self.describe(last)) }
            #expect(seen == Self.expected, "split at \(split)")
        }
    }

    @Test func oneByteChunksAndAnUnterminatedLastLine() throws {
        var decoder = WatchEventDecoder<ConfigMap>()
        var seen: [String] = []
        for byte in Self.stream.trimmingCharacters(in: .newlines).utf8 {
            decoder.feed(ByteBuffer(bytes: [byte]))
            while let update = try decoder.next() { seen.append(Self.describe(update)) }
        }
        if let last = try decoder.finish() { seen.append(Self.describe(last)) }
        #expect(seen == Self.expected)
    }

    @Test func largeObjectsDecode() throws {
        let big = String(repeating: "x", count: 3 << 20)
        let line = #"{"type":"ADDED","object":{"metadata":{"name":"big"},"data":{"blob":"\#(big)"}}}"# + "\n"
        var decoder = WatchEventDecoder<ConfigMap>()
        var buffer = ByteBuffer(string: line)
        var updates: [WatchUpdate<ConfigMap>] = []
        while buffer.readableBytes > 0 {
            decoder.feed(buffer.readSlice(length: min(16_384, buffer.readableBytes))!)
            while let update = try decoder.next() { updates.append(update) }
        }
        #expect(updates.count == 1)
        #expect(updates.first?.object?.data?["blob"]?.count == big.count)
    }

    @Test func errorEventsBecomeTypedErrors() throws {
        var decoder = WatchEventDecoder<ConfigMap>()
        decoder.feed(ByteBuffer(string: #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 101 (105)","reason":"Expired","code":410}}"# + "\n"))
        do {
            _ = try decoder.next()
            Issue.record("expected an error")
        } catch let error as KubeError {
            #expect(error.isExpired)
            #expect(error.status?.message == "too old resource version: 101 (105)")
        }
    }

    @Test func garbageIsADecodingError() throws {
        var decoder = WatchEventDecoder<ConfigMap>()
        decoder.feed(ByteBuffer(string: "<html>oops</html>\n"))
        #expect(throws: KubeError.self) { _ = try decoder.next() }
    }
}
