import KubeModels

/// What went wrong with a request. API failures carry the server's `metav1.Status`; transport
/// and decoding failures are separate cases, so a caller can tell "the server said no" from
/// "we never heard back".
public enum KubeError: Error, Sendable, CustomStringConvertible {
    /// 404 `NotFound`.
    case notFound(Status)
    /// 409 `AlreadyExists`.
    case alreadyExists(Status)
    /// 409 `Conflict`: a stale resourceVersion or an apply conflict; re-read and try again.
    case conflict(Status)
    /// 422 `Invalid`; `details.causes` name the fields.
    case invalid(Status)
    /// 400 `BadRequest`.
    case badRequest(Status)
    /// 401 `Unauthorized`: the credentials were refused.
    case unauthorized(Status)
    /// 403 `Forbidden`: authenticated but not allowed.
    case forbidden(Status)
    /// 410 `Expired`/`Gone`: a resourceVersion or continue token is too old; relist.
    case expired(Status)
    /// 415 `UnsupportedMediaType` (e.g. strategic merge patch on a custom resource).
    case unsupportedMediaType(Status)
    /// 429 `TooManyRequests`, after the client's own retries.
    case tooManyRequests(Status)
    /// 5xx after the client's own retries.
    case serverError(Status)
    /// Any other failure status.
    case other(Status)
    /// The request did not complete: connection refused, TLS failure, timeout.
    case transport(method: String, path: String, reason: String)
    /// The response could not be decoded as the expected type.
    case decoding(what: String, reason: String)
    /// The write was not sent: the client's write fence refused it (``KubeClient/Options/writeFence``,
    /// for a controller that no longer holds its leader lease).
    case fenced(method: String, path: String, reason: String)

    /// Classifies a failure body (or a synthesised Status when the body was not one).
    public init(status: Status) {
        switch (status.code ?? 0, status.reason ?? "") {
        case (404, _): self = .notFound(status)
        case (409, "AlreadyExists"): self = .alreadyExists(status)
        case (409, _): self = .conflict(status)
        case (422, _): self = .invalid(status)
        case (400, _): self = .badRequest(status)
        case (401, _): self = .unauthorized(status)
        case (403, _): self = .forbidden(status)
        case (410, _), (_, "Expired"), (_, "Gone"): self = .expired(status)
        case (415, _): self = .unsupportedMediaType(status)
        case (429, _): self = .tooManyRequests(status)
        case (500...599, _): self = .serverError(status)
        default: self = .other(status)
        }
    }

    /// The server's Status, for API failures.
    public var status: Status? {
        switch self {
        case .notFound(let s), .alreadyExists(let s), .conflict(let s), .invalid(let s), .badRequest(let s),
            .unauthorized(let s), .forbidden(let s), .expired(let s), .unsupportedMediaType(let s),
            .tooManyRequests(let s), .serverError(let s), .other(let s):
            return s
        case .transport, .decoding, .fenced:
            return nil
        }
    }

    /// The HTTP status code, for API failures.
    public var code: Int? { status?.code.map(Int.init) }

    public var isNotFound: Bool { if case .notFound = self { return true } else { return false } }
    public var isForbidden: Bool { if case .forbidden = self { return true } else { return false } }
    public var isConflict: Bool { if case .conflict = self { return true } else { return false } }
    public var isAlreadyExists: Bool { if case .alreadyExists = self { return true } else { return false } }

    public var isExpired: Bool { if case .expired = self { return true } else { return false } }

    public var description: String {
        switch self {
        case .transport(let method, let path, let reason):
            return "\(method) \(path): \(reason)"
        case .decoding(let what, let reason):
            return "cannot decode \(what): \(reason)"
        case .fenced(let method, let path, let reason):
            return "\(method) \(path) not sent: \(reason)"
        default:
            let status = self.status!
            return "\(status.message ?? status.reason ?? "request failed") (\(status.code ?? 0) \(status.reason ?? ""))"
        }
    }
}
