import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Serves the operations endpoints over plain HTTP: `/healthz` (the process answers), `/readyz`
/// (the controller's caches are synced, or this replica is a standby waiting for the lease) for
/// kubelet probes, and `/metrics` (Prometheus text format) for scrapes — each listener the
/// endpoints it is given, so `/metrics` and the probes may share a port or not.
///
/// As a ``Service`` it serves until graceful shutdown, then closes the listener.
final class OperationsServer: Service, Sendable {
    /// Which endpoints a listener answers.
    struct Endpoints: OptionSet, Sendable {
        let rawValue: Int
        /// `/healthz`, `/livez` and `/readyz`.
        static let health = Endpoints(rawValue: 1)
        /// `/metrics`.
        static let metrics = Endpoints(rawValue: 2)
    }

    /// What the endpoints report.
    struct Sources: Sendable {
        /// Asked on every `/readyz`: nil when ready, else why not (the 503's body).
        var ready: @Sendable () -> String?
        /// Renders the body of `/metrics` (updating scrape-time values first).
        var metrics: @Sendable () async -> String
        /// The `Content-Type` of `/metrics`.
        var metricsContentType: String
    }

    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup
    private let stopped = Mutex(false)

    /// The bound port (useful when started on port 0).
    let port: Int
    /// The endpoints this listener answers.
    let endpoints: Endpoints

    /// Starts listening on `host:port` (an empty host is every interface).
    static func start(host: String, port: Int, endpoints: Endpoints, sources: Sources) async throws -> OperationsServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline().flatMap {
                        channel.pipeline.addHandler(OperationsHandler(endpoints: endpoints, sources: sources))
                    }
                }
                .bind(host: Self.bindable(host), port: port).get()
            return OperationsServer(channel: channel, group: group, endpoints: endpoints)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Every interface for an empty host; `[::1]` without its brackets.
    static func bindable(_ host: String) -> String {
        if host.isEmpty { return "0.0.0.0" }
        if host.hasPrefix("["), host.hasSuffix("]") { return String(host.dropFirst().dropLast()) }
        return host
    }

    private init(channel: any Channel, group: MultiThreadedEventLoopGroup, endpoints: Endpoints) {
        self.channel = channel
        self.group = group
        self.endpoints = endpoints
        self.port = channel.localAddress?.port ?? 0
    }

    /// Serves until graceful shutdown (or cancellation), then stops: the ServiceGroup stops the
    /// controller before this, so probes and scrapes answer while reconciles drain.
    func run() async throws {
        try? await gracefulShutdown()
        await stop()
    }

    /// Stops listening and releases the event loop.
    func stop() async {
        guard stopped.withLock({ stopped in defer { stopped = true }; return !stopped }) else { return }
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// Answers one request per connection: 200 `ok`, 503 `not ready`, the metrics, 404 elsewhere.
private final class OperationsHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let endpoints: OperationsServer.Endpoints
    private let sources: OperationsServer.Sources

    init(endpoints: OperationsServer.Endpoints, sources: OperationsServer.Sources) {
        self.endpoints = endpoints
        self.sources = sources
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data) else { return }
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        let health = endpoints.contains(.health)
        switch path {
        case "/healthz" where health, "/livez" where health:
            respond(context: context, version: request.version, status: .ok, body: "ok\n")
        case "/readyz" where health:
            let problem = sources.ready()
            respond(
                context: context, version: request.version, status: problem == nil ? .ok : .serviceUnavailable,
                body: (problem ?? "ok") + "\n")
        case "/metrics" where endpoints.contains(.metrics):
            // Rendering may await the controller (queue depth); answer back on the event loop.
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let sources = sources
            context.eventLoop.makeFutureWithTask { await sources.metrics() }.whenComplete { result in
                let body = (try? result.get()) ?? ""
                self.respond(
                    context: bound.value, version: request.version, status: .ok, body: body,
                    contentType: sources.metricsContentType)
            }
        default:
            respond(context: context, version: request.version, status: .notFound, body: "not found\n")
        }
    }

    private func respond(
        context: ChannelHandlerContext, version: HTTPVersion, status: HTTPResponseStatus, body: String,
        contentType: String = "text/plain; charset=utf-8"
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
