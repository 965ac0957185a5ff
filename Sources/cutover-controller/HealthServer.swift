import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves `/healthz` (the process answers) and `/readyz` (the controller's caches are synced, or
/// this replica is waiting for the lease) over plain HTTP for kubelet probes.
final class HealthServer: Sendable {
    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup

    /// The bound port (useful when started on port 0).
    let port: Int

    /// Starts listening on `host:port`; `ready` is asked on every `/readyz`.
    static func start(host: String, port: Int, ready: @escaping @Sendable () -> Bool) async throws -> HealthServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 16)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline().flatMap {
                        channel.pipeline.addHandler(HealthHandler(ready: ready))
                    }
                }
                .bind(host: host, port: port).get()
            return HealthServer(channel: channel, group: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private init(channel: any Channel, group: MultiThreadedEventLoopGroup) {
        self.channel = channel
        self.group = group
        self.port = channel.localAddress?.port ?? 0
    }

    /// Stops listening and releases the event loop.
    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// Answers one probe per request: 200 `ok`, 503 `not ready`, 404 elsewhere.
private final class HealthHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let ready: @Sendable () -> Bool

    init(ready: @escaping @Sendable () -> Bool) {
        self.ready = ready
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data) else { return }
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        let (status, body): (HTTPResponseStatus, String)
        switch path {
        case "/healthz", "/livez": (status, body) = (.ok, "ok\n")
        case "/readyz": (status, body) = ready() ? (.ok, "ok\n") : (.serviceUnavailable, "caches not synced\n")
        default: (status, body) = (.notFound, "not found\n")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        headers.add(name: "Connection", value: "close")
        let head = HTTPResponseHead(version: request.version, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
