import Foundation
import KubeModels
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A plain-HTTP receiver on a free loopback port for notification, gate-hook and web metric tests:
/// records every request and answers with what ``Responder`` says (status, body, an optional delay).
public final class WebhookReceiver: Sendable {
    /// One request as received.
    public struct Request: Sendable {
        /// `GET`, `POST`, ...
        public var method: String
        public var path: String
        /// Header names lower-cased.
        public var headers: [String: String]
        public var body: [UInt8]
        public var receivedAt: Date
        /// The status it was answered with.
        public var answered: Int
        /// The body as JSON, when it is JSON.
        public var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body)) }
    }

    /// How to answer.
    public struct Reply: Sendable {
        public var status: Int
        public var body: String
        public var delay: Duration
        public init(status: Int = 200, body: String = "ok", delay: Duration = .zero) {
            self.status = status
            self.body = body
            self.delay = delay
        }
    }

    /// Decides the reply from the request and how many requests with the same path came before it.
    public typealias Responder = @Sendable (_ path: String, _ earlier: Int) -> Reply

    private let channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)
    private let received = Mutex<[Request]>([])
    private let responder: Mutex<Responder>
    public let port: Int

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request so far, oldest first.
    public var requests: [Request] { received.withLock { $0 } }

    /// The requests to `path`, oldest first.
    public func requests(to path: String) -> [Request] { requests.filter { $0.path == path } }

    /// Changes how later requests are answered.
    public func respond(with responder: @escaping Responder) { self.responder.withLock { $0 = responder } }

    public init(responder: @escaping Responder = { _, _ in Reply() }) async throws {
        self.responder = Mutex(responder)
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        port = channel.channel.localAddress?.port ?? 0
        let channel = self.channel
        let serving = Task { [weak self] in
            try? await channel.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask { await self?.serve(connection) }
                    }
                }
            }
            return ()
        }
        task.withLock { $0 = serving }
    }

    /// Stops accepting and closes the listening socket; later POSTs are refused.
    public func stop() async {
        try? await channel.channel.close()
        let serving = task.withLock { $0 }
        serving?.cancel()
        await serving?.value
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body = []
                case .body(let buffer):
                    body.append(contentsOf: buffer.readableBytesView)
                case .end:
                    guard let requestHead = head else { continue }
                    let path = requestHead.uri
                    let earlier = received.withLock { list in list.filter { $0.path == path }.count }
                    let reply = responder.withLock { $0 }(path, earlier)
                    if reply.delay > .zero { try await Task.sleep(for: reply.delay) }
                    var headers: [String: String] = [:]
                    for (name, value) in requestHead.headers { headers[name.lowercased()] = value }
                    received.withLock {
                        $0.append(Request(method: requestHead.method.rawValue, path: path, headers: headers, body: body, receivedAt: Date(), answered: reply.status))
                    }
                    let bytes = Array(reply.body.utf8)
                    var responseHeaders = HTTPHeaders()
                    responseHeaders.add(name: "Content-Length", value: "\(bytes.count)")
                    responseHeaders.add(name: "Content-Type", value: "text/plain")
                    try await outbound.write(.head(HTTPResponseHead(version: requestHead.version, status: HTTPResponseStatus(statusCode: reply.status), headers: responseHeaders)))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
                    try await outbound.write(.end(nil))
                }
            }
        }
    }
}
