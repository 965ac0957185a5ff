import Foundation
import KubeModels
import Logging
import NIOCore
import NIOPosix

/// A local Kubernetes API server that the real `kubectl` and client-go style clients can drive:
/// HTTPS with a CA generated at start, bearer-token auth, the REST semantics of KUBE-API.md, and
/// (optionally) simulated workloads. Start one per test on a free loopback port:
///
/// ```swift
/// let sim = try await KubeSim.start()
/// defer { Task { try await sim.stop() } }
/// try sim.writeKubeconfig(to: path)
/// ```
public final class KubeSim: Sendable {
    /// How the server runs.
    public struct Options: Sendable {
        /// The address to listen on.
        public var host = "127.0.0.1"
        /// The port; 0 picks a free one.
        public var port = 0
        /// The bearer token clients must send; `nil` makes a random one.
        public var token: String?
        /// Serve plain HTTP instead of HTTPS. kubectl then sends no token, so authentication is
        /// off in this mode (like the old insecure port); meant for benchmarks. Plain HTTP is
        /// HTTP/1.1 only; HTTPS negotiates HTTP/2 or HTTP/1.1 by ALPN.
        public var plainHTTP = false
        /// The HTTP/2 `SETTINGS_MAX_CONCURRENT_STREAMS` a connection advertises: kube-apiserver's
        /// default (`--http2-max-streams-per-connection` 0) is 100; aggregated API servers use 1000.
        public var http2MaxConcurrentStreams = 100
        /// Delete dependents whose owners are gone (kube-controller-manager's job, played here).
        public var garbageCollection = true
        /// YAML/JSON files with CustomResourceDefinitions to install at start.
        public var crdDirectory: String?
        /// How many changes the watch history keeps; older resume points get 410 Expired.
        public var watchHistoryLimit = 10_000
        /// Seed for the simulated workloads (traffic, readiness), so runs repeat.
        public var seed: UInt64 = 1
        /// Run the simulated Deployment controller and traffic.
        public var simulateWorkloads = true
        /// How often the workload simulators run.
        public var tickInterval: Duration = .milliseconds(200)
        /// Fault rules active from the start (as `POST /sim/faults` adds them).
        public var faultRules: [FaultRule] = []

        public init() {}
    }

    let options: Options
    let store: ObjectStore
    let registry: ResourceRegistry
    let api: APIServer
    let simulation: ClusterSimulation
    private let server: HTTPServer
    private let certificates: CertificateAuthority?
    private let background: Task<Void, Never>
    private let gcTrigger: AsyncStream<Void>.Continuation

    /// `https://127.0.0.1:<port>` (or `http://` in plain mode).
    public let baseURL: String
    /// The bearer token the server accepts.
    public let token: String
    /// The CA certificate (PEM) that signed the server certificate; empty in plain-HTTP mode.
    public var caCertificatePEM: String { certificates?.caCertificatePEM ?? "" }
    /// The bound port.
    public var port: Int { server.port }
    /// Watches open now. A watch counts from the moment it has taken its initial state: every
    /// change after that reaches it as an event, so a test can wait for it instead of sleeping.
    public var openWatches: Int { store.openWatchCount }

    /// TCP connections accepted since start, by the protocol they speak.
    public struct ConnectionCounts: Sendable, Equatable {
        /// HTTP/1.1 connections (plain HTTP, or TLS where the client did not offer `h2`).
        public var http1 = 0
        /// HTTP/2 connections (TLS with ALPN `h2`); each carries many requests as streams.
        public var http2 = 0

        public init(http1: Int = 0, http2: Int = 0) {
            self.http1 = http1
            self.http2 = http2
        }
    }

    /// Connections accepted since start, by protocol: a test reads how many connections its
    /// requests took and whether they were HTTP/2.
    public var connectionCounts: ConnectionCounts { server.connectionCounts }

    /// Sends GOAWAY on every open HTTP/2 connection and closes it, as a restarting or load-shedding
    /// API server does (`--goaway-chance`, shutdown): every stream on it, watches included, ends and
    /// clients reconnect. Returns how many connections were closed.
    @discardableResult
    public func goAwayHTTP2Connections() async -> Int { await server.goAway() }

    private init(
        options: Options, store: ObjectStore, registry: ResourceRegistry, api: APIServer, simulation: ClusterSimulation,
        server: HTTPServer,
        certificates: CertificateAuthority?, token: String, background: Task<Void, Never>,
        gcTrigger: AsyncStream<Void>.Continuation
    ) {
        self.options = options
        self.store = store
        self.registry = registry
        self.api = api
        self.simulation = simulation
        self.server = server
        self.certificates = certificates
        self.token = token
        self.background = background
        self.gcTrigger = gcTrigger
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        baseURL = "\(options.plainHTTP ? "http" : "https")://\(host):\(server.port)"
    }

    /// Starts a server: generates certificates, seeds the default namespaces, installs CRDs from
    /// ``Options/crdDirectory`` and begins listening.
    public static func start(_ options: Options = .init()) async throws -> KubeSim {
        let token = options.token ?? UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let store = ObjectStore(historyLimit: options.watchHistoryLimit)
        let registry = ResourceRegistry()
        var configuration = APIServer.Configuration()
        configuration.token = options.plainHTTP ? nil : token
        configuration.garbageCollection = options.garbageCollection
        let api = APIServer(store: store, registry: registry, configuration: configuration)
        let certificates = options.plainHTTP ? nil : try CertificateAuthority.generate()
        let (triggers, gcTrigger) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        if options.garbageCollection { api.wakeGarbageCollector = { gcTrigger.yield() } }
        let simulation = ClusterSimulation(store: store, seed: options.seed, simulateWorkloads: options.simulateWorkloads)
        if !options.faultRules.isEmpty { _ = try simulation.applyFaults(FaultRequest(rules: options.faultRules)) }
        api.simulation = simulation
        AdminRoutes.install(on: api, simulation: simulation)
        let server = try await HTTPServer(
            host: options.host, port: options.port, tls: try certificates?.serverContext(),
            maxConcurrentStreams: options.http2MaxConcurrentStreams, group: MultiThreadedEventLoopGroup.singleton
        ) { request in await api.handle(request) }
        let background = Task {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in triggers { GarbageCollector(store: store).collect() }
                }
                if options.simulateWorkloads {
                    group.addTask {
                        while !Task.isCancelled {
                            simulation.tick()
                            try? await Task.sleep(for: options.tickInterval)
                        }
                    }
                }
            }
        }
        let sim = KubeSim(
            options: options, store: store, registry: registry, api: api, simulation: simulation, server: server,
            certificates: certificates,
            token: token, background: background, gcTrigger: gcTrigger)
        try await sim.seedNamespaces()
        if let directory = options.crdDirectory { try await sim.loadCRDs(fromDirectory: directory) }
        return sim
    }

    /// Calls `observer` with every object the store writes (created, changed, or deleted as last
    /// seen), as the write is committed, before any watch hears of it. It runs inside the store's
    /// lock: keep it short. For an in-process benchmark that times when a write took effect
    /// (a selector switch routes the simulated traffic from that instant), without a watch's
    /// delivery delay.
    public func observeCommits(_ observer: @escaping @Sendable (JSONValue) -> Void) {
        store.observeCommits(observer)
    }

    /// Stops listening, ends every watch and background task.
    public func stop() async throws {
        gcTrigger.finish()
        background.cancel()
        store.dropAllWatches()
        await server.stop()
        await background.value
    }

    /// Installs (creates or updates) every CustomResourceDefinition in the `.yaml`, `.yml` and
    /// `.json` files of `directory`; their resources are served at once. Returns the CRD names.
    @discardableResult
    public func loadCRDs(fromDirectory directory: String) async throws -> [String] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        var names: [String] = []
        for file in files where file.hasSuffix(".yaml") || file.hasSuffix(".yml") || file.hasSuffix(".json") {
            let text = try String(contentsOfFile: (directory as NSString).appendingPathComponent(file), encoding: .utf8)
            for document in try YAMLBridge.parseAll(text) where document["kind"]?.stringValue == "CustomResourceDefinition" {
                guard let name = document[path: ["metadata", "name"]]?.stringValue else { continue }
                let response = await internalRequest(
                    "PATCH", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/\(name)?fieldManager=kube-sim&force=true",
                    body: document, contentType: "application/apply-patch+yaml")
                guard response.status < 300 else {
                    throw KubeSimError.crdRejected(file: file, name: name, status: response.status, body: response.bodyText)
                }
                names.append(name)
            }
        }
        return names
    }

    /// Writes a kubeconfig for this server: the cluster (with `certificate-authority-data`), a
    /// user with `token` (default: the admin token; e.g. one from
    /// ``createServiceAccountToken(namespace:name:expirationSeconds:)``), and a current context
    /// whose namespace is `namespace`.
    public func writeKubeconfig(to path: String, token: String? = nil, namespace: String = "default") throws {
        var cluster = "    server: \(baseURL)\n"
        if let certificates {
            cluster += "    certificate-authority-data: \(Data(certificates.caCertificatePEM.utf8).base64EncodedString())\n"
        }
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: kube-sim
              cluster:
            \(cluster)contexts:
            - name: kube-sim
              context:
                cluster: kube-sim
                user: kube-sim
                namespace: \(namespace)
            current-context: kube-sim
            users:
            - name: kube-sim
              user:
                token: \(token ?? self.token)

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Sends one request through the API as an authenticated client would, without the network
    /// (same validation, events and resourceVersions as over HTTP). Handy for seeding state;
    /// watches are not supported here. Returns the status code and the parsed JSON body.
    public func request(
        _ method: String, _ path: String, body: JSONValue? = nil, contentType: String = "application/json"
    ) async -> (status: Int, body: JSONValue) {
        let response = await internalRequest(method, path, body: body, contentType: contentType)
        guard case .bytes(let bytes) = response.body, !bytes.isEmpty else { return (response.status, .null) }
        return (response.status, (try? JSONParser.parse(bytes)) ?? .string(String(decoding: bytes, as: UTF8.self)))
    }

    /// Sends a request through the API as an authenticated client would, without the network.
    func internalRequest(_ method: String, _ uri: String, body: JSONValue? = nil, contentType: String = "application/json") async -> HTTPResponse {
        var headers = ["authorization": "Bearer \(token)", "user-agent": "kube-sim", APIServer.internalHeader: "1"]
        headers["content-type"] = contentType
        return await api.handle(HTTPRequest(method: method, uri: uri, headers: headers, body: body.map(JSONWriter.bytes) ?? []))
    }

    private func seedNamespaces() async throws {
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            _ = await internalRequest("POST", "/api/v1/namespaces", body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
            _ = await internalRequest("POST", "/api/v1/namespaces/\(name)/serviceaccounts",
                                      body: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "default"]])
        }
    }
}

/// Why the simulator could not do what it was asked.
public enum KubeSimError: Error, CustomStringConvertible {
    /// A CRD file was refused by the API (invalid CRD).
    case crdRejected(file: String, name: String, status: Int, body: String)

    public var description: String {
        switch self {
        case .crdRejected(let file, let name, let status, let body):
            return "CRD \(name) from \(file) was rejected (\(status)): \(body)"
        }
    }
}

extension HTTPResponse {
    var bodyText: String {
        if case .bytes(let bytes) = body { return String(decoding: bytes, as: UTF8.self) }
        return ""
    }
}
