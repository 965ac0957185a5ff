import Foundation
import KubeModels
import Logging

/// The Kubernetes REST API over the in-memory store: authentication, routing, discovery,
/// OpenAPI and the verbs. Pure request → response; the transport lives in ``HTTPServer``.
final class APIServer: @unchecked Sendable {
    struct Configuration: Sendable {
        /// The bearer token every resource request must carry; `nil` disables authentication.
        var token: String?
        var garbageCollection = true
        var logger = Logger(label: "kube-sim")
    }

    let store: ObjectStore
    let registry: ResourceRegistry
    let configuration: Configuration
    /// Admin routes (`/metrics`, `/sim/...`) that the simulator adds.
    var extraRoutes: [String: @Sendable (HTTPRequest) async -> HTTPResponse] = [:]
    /// The simulated cluster: consulted for faults before every resource request, and told
    /// the code of each answer for `/sim/stats`.
    var simulation: ClusterSimulation?
    /// Wakes the garbage collector: after a delete, and after a create whose owner is gone.
    var wakeGarbageCollector: (@Sendable () -> Void)?
    let startTime = Date()
    /// Signs and verifies the tokens of the TokenRequest API.
    let serviceAccountTokens = ServiceAccountTokens()
    /// Marks requests the simulator makes itself.
    static let internalHeader = "x-kube-sim-internal"

    init(store: ObjectStore, registry: ResourceRegistry, configuration: Configuration) {
        self.store = store
        self.registry = registry
        self.configuration = configuration
    }

    /// Handles one request.
    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let path = request.path
        // A wrong token is refused everywhere; only a missing one may read the public paths
        // (the real server's anonymous access to /version and /healthz).
        let authentication = authenticate(request)
        if case .rejected = authentication { return .error(.unauthorized) }
        switch path {
        case "/healthz", "/readyz", "/livez", "/healthz/ping", "/readyz/ping":
            return .text(200, "ok")
        case "/version":
            return .json(200, Discovery.version)
        default:
            break
        }
        if let route = extraRoutes[path] { return await route(request) }
        if case .anonymous = authentication { return .error(.unauthorized) }
        let apiPath = APIPath(path)
        // Service-account tokens are held to RBAC; the refusal is counted in /sim/stats like any answer.
        if case .user(let user) = authentication, let failure = authorizationFailure(user, request, apiPath) {
            if let apiPath, let simulation { simulation.record(verb: self.verb(request, apiPath), resource: statsResource(apiPath), code: 403) }
            return .error(failure)
        }
        // The simulator's own requests (seeding, CRD loading, `KubeSim.request`) bypass faults and stats.
        guard let apiPath, let simulation, request.headers[Self.internalHeader] == nil else {
            return await serve(request, apiPath)
        }
        let verb = verb(request, apiPath)
        let resource = statsResource(apiPath)
        let version = request.query["resourceVersion"] ?? ""
        let resume = verb == "watch" && !version.isEmpty && version != "0"
        var injected: HTTPResponse?
        switch simulation.decide(verb: verb, resource: resource, userAgent: request.headers["user-agent"] ?? "", isWatchResume: resume) {
        case .none:
            break
        case .delay(let seconds):
            try? await Task.sleep(for: .seconds(seconds))
        case .unresponsive(let until):
            try? await Task.sleep(for: .seconds(max(0, until.timeIntervalSinceNow)))
        case .fail(let failure):
            if failure.delaySeconds > 0 { try? await Task.sleep(for: .seconds(failure.delaySeconds)) }
            injected = .json(failure.code, APIError.json(failure.status), headers: failure.headers.map { ($0.name, $0.value) })
        case .expireWatch:
            let expired = APIError.expired("too old resource version: \(version) (\((UInt64(version) ?? 0) + 1))")
            let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
            continuation.yield(eventLine("ERROR", expired.json))
            continuation.finish()
            injected = HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: .stream(stream))
        }
        let response: HTTPResponse
        if let injected {
            response = injected
        } else {
            response = await serve(request, apiPath)
        }
        simulation.record(verb: verb, resource: resource, code: response.status)
        return response
    }

    /// `plural[.group][/subresource]`: how faults and stats name a request's resource.
    func statsResource(_ apiPath: APIPath) -> String {
        var resource = apiPath.group.isEmpty ? apiPath.resource : "\(apiPath.resource).\(apiPath.group)"
        if let subresource = apiPath.subresource { resource += "/\(subresource)" }
        return resource
    }

    private func serve(_ request: HTTPRequest, _ apiPath: APIPath?) async -> HTTPResponse {
        do {
            if let apiPath { return try await handleResource(request, apiPath) }
            return try handleNonResource(request)
        } catch let error as APIError {
            return .error(error)
        } catch {
            return .error(.internalError(String(describing: error)))
        }
    }

    /// The Kubernetes verb of a request (`get`, `list`, `watch`, `create`, ...), for faults and stats.
    func verb(_ request: HTTPRequest, _ path: APIPath?) -> String {
        switch request.method {
        case "GET":
            if request.query["watch"] == "true" || request.query["watch"] == "1" { return "watch" }
            return path?.name == nil ? "list" : "get"
        case "POST": return "create"
        case "PUT": return "update"
        case "PATCH": return "patch"
        case "DELETE": return path?.name == nil ? "deletecollection" : "delete"
        default: return request.method.lowercased()
        }
    }

    private func handleNonResource(_ request: HTTPRequest) throws -> HTTPResponse {
        let segments = request.path.split(separator: "/").map(String.init)
        let accept = request.headers["accept"] ?? ""
        let aggregated = accept.contains("as=APIGroupDiscoveryList")
        switch segments.count {
        case 1 where segments[0] == "api":
            if aggregated { return Discovery.aggregated(registry.all, core: true) }
            return .json(200, Discovery.apiVersions)
        case 1 where segments[0] == "apis":
            if aggregated { return Discovery.aggregated(registry.all, core: false) }
            return .json(200, Discovery.groupList(registry.all))
        case 2 where segments[0] == "api":
            return .json(200, Discovery.resourceList(registry.all, group: "", version: segments[1]))
        case 2 where segments[0] == "apis":
            guard let group = Discovery.group(registry.all, name: segments[1]) else { throw APIError.unknownPath }
            return .json(200, group)
        case 3 where segments[0] == "apis":
            let types = registry.all.filter { $0.group == segments[1] && $0.version == segments[2] }
            guard !types.isEmpty else { throw APIError.unknownPath }
            return .json(200, Discovery.resourceList(registry.all, group: segments[1], version: segments[2]))
        default:
            break
        }
        if segments.first == "openapi", segments.count >= 2, segments[1] == "v3" {
            let types = registry.all
            if segments.count == 2 { return .json(200, OpenAPIDocument.index(types)) }
            let rest = Array(segments.dropFirst(2))
            let (group, version): (String, String)
            if rest.count == 2, rest[0] == "api" {
                (group, version) = ("", rest[1])
            } else if rest.count == 3, rest[0] == "apis" {
                (group, version) = (rest[1], rest[2])
            } else {
                throw APIError.unknownPath
            }
            let matching = types.filter { $0.group == group && $0.version == version }
            guard !matching.isEmpty else { throw APIError.unknownPath }
            return .json(200, OpenAPIDocument.groupVersion(matching))
        }
        throw APIError.unknownPath
    }

    private func handleResource(_ request: HTTPRequest, _ path: APIPath) async throws -> HTTPResponse {
        if request.path == Self.accessReviewPath { return try selfSubjectAccessReview(request) }
        guard let type = registry.lookup(group: path.group, version: path.version, plural: path.resource) else {
            throw APIError.unknownPath
        }
        if path.namespace != nil, !type.namespaced { throw APIError.unknownPath }
        let namespace = type.namespaced ? path.namespace : nil
        switch (request.method, path.name, path.subresource) {
        case ("GET", nil, nil):
            if isWatch(request) { return try watch(request, type, namespace: namespace) }
            return try list(request, type, namespace: namespace)
        case ("GET", let name?, nil):
            return try get(request, type, namespace: namespace, name: name)
        case ("GET", let name?, "status"):
            return try get(request, type, namespace: namespace, name: name)
        case ("GET", let name?, "scale"):
            return try getScale(request, type, namespace: namespace, name: name)
        case ("GET", let name?, "log") where type.group.isEmpty && type.plural == "pods":
            return try podLog(request, type, namespace: namespace, name: name)
        case ("POST", nil, nil):
            return try create(request, type, namespace: namespace)
        case ("PUT", let name?, let subresource):
            return try update(request, type, namespace: namespace, name: name, subresource: subresource)
        case ("PATCH", let name?, let subresource):
            return try patch(request, type, namespace: namespace, name: name, subresource: subresource)
        case ("DELETE", let name?, nil):
            return try delete(request, type, namespace: namespace, name: name)
        case ("DELETE", nil, nil):
            return try deleteCollection(request, type, namespace: namespace)
        case ("POST", let name?, "token") where type.group.isEmpty && type.plural == "serviceaccounts":
            return try createToken(request, type, namespace: namespace, name: name)
        default:
            if let subresource = path.subresource, !["status", "scale", "log"].contains(subresource) {
                throw APIError.unknownPath
            }
            throw APIError.methodNotAllowed()
        }
    }

    private func isWatch(_ request: HTTPRequest) -> Bool {
        request.query["watch"] == "true" || request.query["watch"] == "1"
    }

    // MARK: Helpers shared by the verbs

    /// Parses a JSON (or, for apply, YAML) request body into an object.
    func decodeBody(_ request: HTTPRequest, allowYAML: Bool = false) throws -> JSONValue {
        if request.body.isEmpty { throw APIError.badRequest("the body of the request was empty") }
        if request.body.count > APIError.maxRequestBodyBytes { throw APIError.requestEntityTooLarge }
        if (request.headers["content-type"] ?? "").hasPrefix("application/vnd.kubernetes.protobuf") {
            do {
                return try ProtobufDecoder.decode(request.body)
            } catch {
                throw APIError.unsupportedMediaType(
                    "application/vnd.kubernetes.protobuf", accepted: ["application/json", "application/yaml"])
            }
        }
        do {
            return try JSONParser.parse(request.body)
        } catch {
            if allowYAML, let value = try? YAMLBridge.parse(String(decoding: request.body, as: UTF8.self)) {
                return value
            }
            throw APIError.badRequest("the object provided is unrecognized: \(error)")
        }
    }

    /// The object as a client of `type` sees it: its version's apiVersion, and the events.k8s.io
    /// shape for that view of the event store.
    func render(_ object: JSONValue, as type: ResourceType) -> JSONValue {
        if type.isEventsV1View { return EventConversion.toEventsV1(object) }
        var result = object
        if result["apiVersion"]?.stringValue != type.apiVersion { result["apiVersion"] = .string(type.apiVersion) }
        if result["kind"] == nil { result["kind"] = .string(type.kind) }
        return result
    }

    /// The fieldValidation directive of a write (`Strict`, `Warn` by default, or `Ignore`).
    func fieldValidation(_ request: HTTPRequest) -> String {
        request.query["fieldValidation"] ?? "Warn"
    }

    static func now() -> String { Timestamp(Date()).description }
}
