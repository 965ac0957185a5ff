import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL

/// An HTTP server on SwiftNIO, handing each request to an async handler and streaming chunked
/// bodies (watches) with a flush per chunk. Behind TLS it negotiates HTTP/2 or HTTP/1.1 by ALPN
/// (`h2` preferred, as kube-apiserver does) and serves every HTTP/2 stream as one request; plain
/// HTTP is HTTP/1.1 only.
final class HTTPServer: @unchecked Sendable {
    typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse
    /// One request/response exchange channel: an HTTP/1.1 connection or one HTTP/2 stream.
    typealias Exchange = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    typealias Negotiated = NIONegotiatedHTTPVersion<Exchange, (Channel, NIOHTTP2Handler.AsyncStreamMultiplexer<Exchange>)>

    /// What the accept loop receives: a plain HTTP/1.1 connection, or a TLS one whose protocol is
    /// known once ALPN completes.
    enum Accepted: Sendable {
        case plain(Exchange)
        case negotiating(EventLoopFuture<Negotiated>)
    }

    private let serverChannel: NIOAsyncChannel<Accepted, Never>
    private var runTask: Task<Void, Never>?
    private let lock = NSLock()
    private var connections: [ObjectIdentifier: Channel] = [:]
    private var http2Connections: [ObjectIdentifier: Channel] = [:]
    private var counts = KubeSim.ConnectionCounts()
    /// The bound port (useful when 0 was asked for).
    let port: Int

    /// Connections accepted since start, by protocol.
    var connectionCounts: KubeSim.ConnectionCounts { lock.withLock { counts } }

    /// Binds `host:port` and starts accepting connections. `maxConcurrentStreams` is what HTTP/2
    /// clients are told they may open per connection.
    init(
        host: String, port: Int, tls: NIOSSLContext?, maxConcurrentStreams: Int, group: EventLoopGroup,
        handler: @escaping Handler
    ) async throws {
        var http2Configuration = NIOHTTP2Handler.Configuration()
        http2Configuration.connection.initialSettings =
            nioDefaultSettings.filter { $0.parameter != .maxConcurrentStreams }
            + [HTTP2Setting(parameter: .maxConcurrentStreams, value: maxConcurrentStreams)]
        serverChannel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                guard let tls else {
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return Accepted.plain(try Exchange(wrappingChannelSynchronously: channel))
                    }
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                }.flatMap {
                    channel.configureAsyncHTTPServerPipeline(
                        http2Configuration: http2Configuration,
                        // The helper sets up HTTP/1.1 as configureHTTPServerPipeline does, with its
                        // error handling: a malformed request gets one 400.
                        http1ConnectionInitializer: { channel in
                            channel.eventLoop.makeCompletedFuture { try Exchange(wrappingChannelSynchronously: channel) }
                        },
                        http2ConnectionInitializer: { channel in channel.eventLoop.makeSucceededFuture(channel) },
                        http2StreamInitializer: { stream in
                            stream.eventLoop.makeCompletedFuture {
                                try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                                return try Exchange(wrappingChannelSynchronously: stream)
                            }
                        }
                    ).map { Accepted.negotiating($0) }
                }
            }
        self.port = serverChannel.channel.localAddress?.port ?? port
        let serverChannel = self.serverChannel
        runTask = Task { [weak self] in
            try? await serverChannel.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await accepted in inbound {
                        group.addTask { await self?.serve(accepted, handler: handler) }
                    }
                }
            }
        }
    }

    /// Stops accepting, closes every open connection (ending watches) and waits for the accept loop.
    func stop() async {
        try? await serverChannel.channel.close()
        let open = lock.withLock { Array(connections.values) }
        for channel in open { try? await channel.close() }
        runTask?.cancel()
        await runTask?.value
    }

    /// Sends GOAWAY on every open HTTP/2 connection, then closes it, as a server going away
    /// does: the streams on it (watches) end and clients reconnect. Returns how many were closed.
    @discardableResult
    func goAway() async -> Int {
        let open = lock.withLock { Array(http2Connections.values) }
        for channel in open {
            let frame = HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: .maxID, errorCode: .noError, opaqueData: nil))
            try? await channel.writeAndFlush(frame)
            try? await channel.close()
        }
        return open.count
    }

    private func serve(_ accepted: Accepted, handler: @escaping Handler) async {
        switch accepted {
        case .plain(let exchange):
            await serveConnection(exchange, handler: handler)
        case .negotiating(let negotiation):
            // A failed handshake (a client that does not trust the CA) is the client's business.
            guard let negotiated = try? await negotiation.get() else { return }
            switch negotiated {
            case .http1_1(let exchange):
                await serveConnection(exchange, handler: handler)
            case .http2(let (channel, streams)):
                let id = ObjectIdentifier(channel)
                lock.withLock {
                    connections[id] = channel
                    http2Connections[id] = channel
                    counts.http2 += 1
                }
                defer { lock.withLock { connections[id] = nil; http2Connections[id] = nil } }
                try? await withThrowingDiscardingTaskGroup { group in
                    for try await stream in streams.inbound {
                        group.addTask { await self.exchange(stream, handler: handler) }
                    }
                }
            }
        }
    }

    /// Serves an HTTP/1.1 connection: its requests one after another until it closes.
    private func serveConnection(_ connection: Exchange, handler: Handler) async {
        let id = ObjectIdentifier(connection.channel)
        lock.withLock {
            connections[id] = connection.channel
            counts.http1 += 1
        }
        defer { lock.withLock { connections[id] = nil } }
        await exchange(connection, handler: handler)
    }

    /// Reads requests from an HTTP/1.1 connection or an HTTP/2 stream and answers each in turn.
    private func exchange(_ connection: Exchange, handler: Handler) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body = []
                    // curl asks before sending bodies over 1 KiB and would otherwise wait a second.
                    if requestHead.headers.first(name: "expect")?.lowercased() == "100-continue" {
                        try await outbound.write(.head(HTTPResponseHead(version: requestHead.version, status: .continue)))
                    }
                case .body(let buffer):
                    body.append(contentsOf: buffer.readableBytesView)
                case .end:
                    guard let requestHead = head else { continue }
                    var headers: [String: String] = [:]
                    for (name, value) in requestHead.headers { headers[name.lowercased()] = value }
                    let request = HTTPRequest(method: requestHead.method.rawValue, uri: requestHead.uri, headers: headers, body: body)
                    let response = await handler(request)
                    let keepAlive = try await write(response, version: requestHead.version, keepAlive: requestHead.isKeepAlive, channel: connection.channel, to: outbound)
                    if !keepAlive { return }
                }
            }
        }
    }

    /// Writes the response; returns whether the connection may carry another request.
    private func write(
        _ response: HTTPResponse, version: HTTPVersion, keepAlive: Bool, channel: Channel,
        to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws -> Bool {
        var headers = HTTPHeaders(response.headers)
        switch response.body {
        case .bytes(let bytes):
            headers.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
            if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
            let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
            try await outbound.write(.head(head))
            if !bytes.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes)))) }
            try await outbound.write(.end(nil))
            return keepAlive
        case .stream(let chunks):
            headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
            let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
            try await outbound.write(.head(head))
            // A client that goes away mid-watch is noticed through the channel closing, not
            // only at the next write, so its subscription does not linger until an event comes.
            let consumer = Task {
                for await chunk in chunks {
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
                }
            }
            channel.closeFuture.whenComplete { _ in consumer.cancel() }
            try await consumer.value
            try await outbound.write(.end(nil))
            return keepAlive
        }
    }
}
