import KubeModels

/// A request that failed, rendered as the `metav1.Status` body a real API server sends
/// (KUBE-API.md §10): the code, reason and message patterns client-go and kubectl parse.
struct APIError: Error, Sendable {
    var status: Status
    /// Extra response headers, e.g. `Retry-After` for 429.
    var headers: [(String, String)] = []

    var code: Int { Int(status.code ?? 500) }

    init(code: Int, reason: String, message: String, details: StatusDetails? = nil) {
        status = Status(message: message, reason: reason, details: details, code: Int32(code))
    }

    /// The `Status` body as JSON.
    var json: JSONValue { Self.json(status) }

    static func json(_ status: Status) -> JSONValue {
        var object: [String: JSONValue] = [
            "kind": "Status", "apiVersion": "v1", "metadata": .object([:]),
            "status": .string(status.status ?? "Failure"),
        ]
        if let message = status.message { object["message"] = .string(message) }
        if let reason = status.reason, !reason.isEmpty { object["reason"] = .string(reason) }
        if let code = status.code { object["code"] = .int(Int64(code)) }
        if let details = status.details {
            var body: [String: JSONValue] = [:]
            if let name = details.name { body["name"] = .string(name) }
            if let group = details.group { body["group"] = .string(group) }
            if let kind = details.kind { body["kind"] = .string(kind) }
            if let uid = details.uid { body["uid"] = .string(uid) }
            if let seconds = details.retryAfterSeconds { body["retryAfterSeconds"] = .int(Int64(seconds)) }
            if let causes = details.causes {
                body["causes"] = .array(
                    causes.map { cause in
                        var item: [String: JSONValue] = [:]
                        if let reason = cause.reason { item["reason"] = .string(reason) }
                        if let message = cause.message { item["message"] = .string(message) }
                        if let field = cause.field { item["field"] = .string(field) }
                        return .object(item)
                    })
            }
            object["details"] = .object(body)
        }
        return .object(object)
    }

    // MARK: The errors of k8s.io/apimachinery/pkg/api/errors

    static func notFound(_ type: ResourceType, name: String) -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "\(type.qualifiedName) \"\(name)\" not found",
            details: StatusDetails(name: name, group: type.group, kind: type.plural))
    }

    static let unknownPath = APIError(
        code: 404, reason: "NotFound", message: "the server could not find the requested resource",
        details: StatusDetails())

    static func alreadyExists(_ type: ResourceType, name: String) -> APIError {
        APIError(
            code: 409, reason: "AlreadyExists", message: "\(type.qualifiedName) \"\(name)\" already exists",
            details: StatusDetails(name: name, group: type.group, kind: type.plural))
    }

    static func conflict(_ type: ResourceType, name: String, detail: String? = nil) -> APIError {
        let why = detail ?? "the object has been modified; please apply your changes to the latest version and try again"
        return APIError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(type.qualifiedName) \"\(name)\": \(why)",
            details: StatusDetails(name: name, group: type.group, kind: type.plural))
    }

    static func invalid(_ type: ResourceType, name: String, causes: [StatusCause]) -> APIError {
        let kindName = type.group.isEmpty ? type.kind : "\(type.kind).\(type.group)"
        // field.ErrorList.ToAggregate: "field: message" per cause (": message" without a field),
        // duplicates once, several in brackets.
        var lines: [String] = []
        for cause in causes {
            let line = "\(cause.field ?? ""): \(cause.message ?? "")"
            if !lines.contains(line) { lines.append(line) }
        }
        let text = lines.count == 1 ? lines[0] : "[" + lines.joined(separator: ", ") + "]"
        return APIError(
            code: 422, reason: "Invalid", message: "\(kindName) \"\(name)\" is invalid: \(text)",
            details: StatusDetails(name: name, group: type.group, kind: type.kind, causes: causes))
    }

    /// A JSON patch that does not apply (a failed `test`, a missing path): the real server's
    /// `NewGenericServerResponse(422, ...)` with no causes, so the JSON-patch library's reason is
    /// lost and kubectl prints `The request is invalid: the server rejected our request due to
    /// an error in our request`, exactly as against a real cluster.
    static let patchNotApplicable = APIError(
        code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request",
        details: StatusDetails())

    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    static func methodNotAllowed(_ message: String = "the server does not allow this method on the requested resource") -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: message, details: StatusDetails())
    }

    static func unsupportedMediaType(_ contentType: String, accepted: [String]) -> APIError {
        APIError(
            code: 415, reason: "UnsupportedMediaType",
            message: "the body of the request was in an unknown format - accepted media types include: "
                + accepted.joined(separator: ", "))
    }

    static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    static func expired(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    static func gone(_ message: String) -> APIError { APIError(code: 410, reason: "Gone", message: message) }

    static func internalError(_ message: String) -> APIError {
        APIError(
            code: 500, reason: "InternalError", message: "Internal error occurred: \(message)",
            details: StatusDetails(causes: [StatusCause(message: message)]))
    }

    /// The largest write body the API server reads (its `MaxRequestBodyBytes`, 3 MiB: twice etcd's
    /// limit, as JSON shrinks when stored).
    static let maxRequestBodyBytes = 3 << 20

    static let requestEntityTooLarge = APIError(
        code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is \(maxRequestBodyBytes)")

    /// The largest object etcd stores (its default `--max-request-bytes`, 1.5 MiB).
    static let maxStoredObjectBytes = 1_572_864

    /// What a write of a larger object gets: etcd's error passed through as a 500 without a reason,
    /// as real servers still answer (kubernetes/kubernetes#112152).
    static let objectTooLarge = APIError(code: 500, reason: "", message: "etcdserver: request is too large")

    static func tooManyRequests(retryAfter: Int) -> APIError {
        var error = APIError(
            code: 429, reason: "TooManyRequests", message: "Too many requests, please try again later.",
            details: StatusDetails(retryAfterSeconds: Int32(retryAfter)))
        error.headers = [("Retry-After", String(retryAfter))]
        return error
    }

    static func notAcceptable(_ message: String) -> APIError {
        APIError(code: 406, reason: "NotAcceptable", message: message)
    }
}
