import Hummingbird

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A server-sent event stream (`text/event-stream`) of one page: the first event at once, then a
/// new one whenever the feed changed what the page shows, a comment line on the feed's
/// heartbeat, until the page goes away. The browser's EventSource reconnects by itself after
/// `retry` milliseconds and gets the whole state again.
enum EventStream {
    /// One event: its name and its JSON.
    struct Event: Sendable {
        var name: String
        var data: String

        init(_ name: String, _ value: some Encodable) {
            self.name = name
            let encoded = (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) }
            data = encoded ?? "null"
        }

        var text: String { "event: \(name)\ndata: \(data)\n\n" }
    }

    /// Events closer together than this are sent as one (a release writes its status in bursts).
    static let coalescing: Duration = .milliseconds(200)

    /// Sends `render` of the feed's snapshot whenever its `fingerprint` changes.
    static func response(
        feed: ClusterFeed, fingerprint: @escaping @Sendable (FeedSnapshot) -> String,
        render: @escaping @Sendable (FeedSnapshot) async -> Event
    ) -> Response {
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let wake = feed.wake()
            var sent: String?
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            for await _ in wake {
                let snapshot = feed.snapshot()
                let print = fingerprint(snapshot)
                if print == sent {
                    try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    continue
                }
                sent = print
                try await writer.write(ByteBuffer(string: await render(snapshot).text))
                try await Task.sleep(for: coalescing)
            }
            try await writer.finish(nil)
        })
    }
}
