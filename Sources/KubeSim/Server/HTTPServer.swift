import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An HTTP/1.1 server on SwiftNIO, optionally behind TLS, handing each request to an async
/// handler and streaming chunked bodies (watches) with a flush per chunk.
final class HTTPServer: @unchecked Sendable {
    typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    private let serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    private var runTask: Task<Void, Never>?
    private let lock = NSLock()
    private var connections: [ObjectIdentifier: Channel] = [:]
    /// The bound port (useful when 0 was asked for).
    let port: Int

    /// Binds `host:port` and starts accepting connections.
    init(host: String, port: Int, tls: NIOSSLContext?, group: EventLoopGroup, handler: @escaping Handler) async throws {
        serverChannel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        self.port = serverChannel.channel.localAddress?.port ?? port
        let serverChannel = self.serverChannel
        runTask = Task { [weak self] in
            try? await serverChannel.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask { await self?.serve(connection, handler: handler) }
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

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, handler: Handler) async {
        let id = ObjectIdentifier(connection.channel)
        lock.withLock { connections[id] = connection.channel }
        defer { lock.withLock { connections[id] = nil } }
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
