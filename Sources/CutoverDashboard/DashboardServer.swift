import Cutover
import CutoverCLI
import HTTPTypes
import Hummingbird
import KubeAPI
import KubeModels
import Logging
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `kubectl cutover dashboard`'s web server (docs/dashboard.md): the page and its assets, built
/// in; two server-sent event streams (the overview, one Rollout) fed by the ``ClusterFeed``'s
/// watches; and, with `--allow-actions`, the plugin's actions behind a ``RequestGuard``.
public struct DashboardServer: Sendable {
    public struct Configuration: Sendable {
        /// The address to listen on; port 0 picks a free one.
        public var host: String
        public var port: Int
        /// Whether the page offers promote / abort / retry / pause / resume.
        public var allowActions: Bool

        public init(host: String = "127.0.0.1", port: Int = 0, allowActions: Bool = false) {
            self.host = host
            self.port = port
            self.allowActions = allowActions
        }
    }

    let feed: ClusterFeed
    let client: KubeClient
    let configuration: Configuration
    let now: @Sendable () -> Date

    public init(feed: ClusterFeed, client: KubeClient, configuration: Configuration, now: @escaping @Sendable () -> Date = { Date() }) {
        self.feed = feed
        self.client = client
        self.configuration = configuration
        self.now = now
    }

    /// Serves until cancelled; `listening` gets the port once the server accepts connections.
    public func run(listening: @escaping @Sendable (Int) async -> Void) async throws {
        let token = configuration.allowActions ? Self.newToken() : nil
        let port = Mutex<Int>(configuration.port)
        let router = Router()
        router.add(middleware: HostCheck { host in
            RequestGuard(host: configuration.host, port: port.withLock { $0 }, token: token).refusal(host: host)
        })
        let page = PageAssets(token: token, scope: feed.scope)
        router.get("/") { _, _ in page.response(page.index, type: "text/html; charset=utf-8") }
        router.get("/dashboard.js") { _, _ in page.response(page.script, type: "text/javascript; charset=utf-8") }
        router.get("/dashboard.css") { _, _ in page.response(page.style, type: "text/css; charset=utf-8") }
        router.get("/api/overview") { _, _ in
            EventStream.response(feed: feed, fingerprint: { "\($0.version)" }) { snapshot in .init("overview", Overview(snapshot)) }
        }
        router.get("/api/rollouts/:namespace/:name") { _, context in
            let key = "\(try context.parameters.require("namespace"))/\(try context.parameters.require("name"))"
            return EventStream.response(
                feed: feed,
                fingerprint: { snapshot in "\(snapshot.rollout(key)?.metadata.resourceVersion ?? "-")|\(snapshot.notices)" },
                render: { snapshot in await self.releasePage(key, in: snapshot) })
        }
        router.post("/api/:kind/:namespace/:name/:action") { request, context in
            let host = request.head.authority
            let refusal = RequestGuard(host: configuration.host, port: port.withLock { $0 }, token: token)
                .actionRefusal(host: host, origin: request.headers[.origin], token: request.headers[HTTPField.Name(RequestGuard.tokenHeader)!])
            if let refusal { return ActionResult(ok: false, message: refusal).response(.forbidden) }
            return await self.act(
                kind: try context.parameters.require("kind"), namespace: try context.parameters.require("namespace"),
                name: try context.parameters.require("name"), action: try context.parameters.require("action"))
        }
        var logger = Logger(label: "kubectl-cutover.dashboard")
        logger.logLevel = .error
        let app = Application(
            router: router, configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? configuration.port
                port.withLock { $0 = bound }
                await listening(bound)
            }, logger: logger)
        try await app.run()
    }

    /// The release page of `key` (event `release`), or what keeps it from being shown (`missing`).
    func releasePage(_ key: String, in snapshot: FeedSnapshot) async -> EventStream.Event {
        guard let rollout = snapshot.rollout(key) else {
            return .init("missing", PageProblem(message: "rollout \(key) is not in this dashboard (\(feed.scope)): deleted, never created, or not readable with your credentials", notices: snapshot.notices))
        }
        let namespace = rollout.metadata.namespace ?? ""
        let context = CLIContext(client: client, namespace: namespace, console: CapturedConsole().console, now: now)
        // Deployments, Services and Events may be unreadable to a user who may read Rollouts: the
        // page shows what it can.
        let deployments = (try? await context.deployments(of: rollout)) ?? []
        let services = (try? await context.services(of: rollout)) ?? [:]
        let selector = "involvedObject.kind=Rollout,involvedObject.name=\(rollout.metadata.name ?? "")"
        let events = (try? await client.list(Event.self, namespace: namespace, options: ListOptions(fieldSelector: selector)).items) ?? []
        return .init(
            "release",
            ReleasePage(rollout: rollout, deployments: deployments, services: services, events: events, measurements: snapshot.measurements, now: now()))
    }

    /// Runs one of the plugin's actions as `kubectl cutover <action>` would.
    func act(kind: String, namespace: String, name: String, action: String) async -> Response {
        let captured = CapturedConsole()
        let context = CLIContext(client: client, namespace: namespace, console: captured.console, now: now)
        do {
            switch kind {
            case "rollouts":
                guard let action = RolloutAction(rawValue: action) else { return ActionResult(ok: false, message: "unknown action \(action)").response(.badRequest) }
                try await ActionCommand.run(action, name: name, context: context)
            case "releasegroups":
                guard let action = GroupAction(rawValue: action) else { return ActionResult(ok: false, message: "unknown action \(action)").response(.badRequest) }
                try await ActionCommand.run(action, group: name, context: context)
            default:
                return ActionResult(ok: false, message: "unknown kind \(kind)").response(.notFound)
            }
            return ActionResult(ok: true, message: captured.output.trimmingCharacters(in: .whitespacesAndNewlines)).response(.ok)
        } catch {
            let status: HTTPResponse.Status
            switch error {
            case is CLIError: status = .conflict
            case let error as KubeError: status = error.code.map { HTTPResponse.Status(code: $0) } ?? .badGateway
            default: status = .internalServerError
            }
            return ActionResult(ok: false, message: CLIError.message(for: error)).response(status)
        }
    }

    /// 32 random bytes, hex.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
    }
}

/// What an action answered: the plugin's output, or the refusal or the API's answer.
struct ActionResult: Codable, Sendable {
    var ok: Bool
    var message: String

    func response(_ status: HTTPResponse.Status) -> Response {
        let body = (try? JSONEncoder().encode(self)) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Why a page has nothing to show.
struct PageProblem: Codable, Sendable, Hashable {
    var message: String
    var notices: [String]
}

/// Refuses, with 421, a request whose `Host` is not this server's (``RequestGuard``).
struct HostCheck<Context: RequestContext>: RouterMiddleware {
    let refusal: @Sendable (String?) -> String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let why = refusal(request.head.authority) {
            return Response(status: .misdirectedRequest, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: why + "\n")))
        }
        return try await next(request, context)
    }
}
