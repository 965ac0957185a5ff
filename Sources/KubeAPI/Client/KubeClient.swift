import AsyncHTTPClient
import Foundation
import KubeModels
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// A Kubernetes API client: typed and dynamic REST verbs, pagination, watches, retries, a client-side
/// rate limit and credential refresh, over async-http-client.
///
/// One client serves the whole process; it is safe to use from any task. Call ``shutdown()`` before
/// dropping it (the HTTP connection pools must be closed).
public final class KubeClient: Sendable {
    /// Tuning knobs; the defaults suit a controller.
    public struct Options: Sendable {
        /// Client-side rate limit (token bucket); 0 disables it.
        public var qps: Double
        public var burst: Int
        public var retry: RetryPolicy
        /// Deadline for a whole ordinary request, seconds.
        public var requestTimeout: Double
        /// Read timeout of watch connections, seconds; keep it above every watch's `timeoutSeconds`.
        public var watchReadTimeout: Double
        public var userAgent: String
        /// Largest response body accepted (large lists), bytes.
        public var maxResponseBytes: Int
        /// Called after every response with (verb, resource path, HTTP code or 0 for transport failures).
        public var observer: (@Sendable (RequestRecord) -> Void)?
        /// Which HTTP version to speak to an HTTPS server; see ``HTTPVersion``.
        public var httpVersion: HTTPVersion
        /// Idle HTTP/1.1 connections kept open beside the busy ones once the first request is made,
        /// so that a burst of parallel writes (a release group switching its Services) does not
        /// wait for TLS handshakes. They are opened one at a time and kept past the idle timeout,
        /// up to ``KubeClient/maxRequestConnections`` in all.
        public var spareConnections: Int
        /// Asked before each attempt of every write (POST, PUT, PATCH, DELETE) is sent: a reason
        /// refuses it with ``KubeError/fenced(method:path:reason:)`` and nothing is sent. A
        /// controller under leader election fences its writes with its lease, so a leader that was
        /// paused past its lease (a stopped VM, a long GC) cannot act on what it believed before.
        public var writeFence: (@Sendable () -> String?)?

        /// The HTTP version a client speaks. Plain-HTTP servers always get HTTP/1.1.
        public enum HTTPVersion: Sendable, Hashable {
            /// HTTP/1.1 only: one connection per request in flight and per watch.
            case http1
            /// HTTP/2 when the server offers it by ALPN (HTTP/1.1 otherwise): requests and watches are
            /// streams multiplexed over one connection per pool, at most the server's
            /// `SETTINGS_MAX_CONCURRENT_STREAMS` at once (kube-apiserver: 100); further ones wait.
            case http2IfOffered
        }

        public init(
            qps: Double = 50, burst: Int = 100, retry: RetryPolicy = RetryPolicy(), requestTimeout: Double = 30,
            watchReadTimeout: Double = 660, userAgent: String = "cutover/\(CutoverVersion.current)",
            maxResponseBytes: Int = 1 << 30, observer: (@Sendable (RequestRecord) -> Void)? = nil,
            httpVersion: HTTPVersion = .http1, spareConnections: Int = 0, writeFence: (@Sendable () -> String?)? = nil
        ) {
            self.qps = qps
            self.burst = burst
            self.retry = retry
            self.requestTimeout = requestTimeout
            self.watchReadTimeout = watchReadTimeout
            self.userAgent = userAgent
            self.maxResponseBytes = maxResponseBytes
            self.observer = observer
            self.httpVersion = httpVersion
            self.spareConnections = spareConnections
            self.writeFence = writeFence
        }
    }

    /// One completed request, for metrics.
    public struct RequestRecord: Sendable {
        /// `GET`, `LIST`, `WATCH`, `POST`, `PUT`, `PATCH`, `DELETE`.
        public var verb: String
        public var code: Int
        public var seconds: Double
    }

    /// HTTP/1.1 connections the request pool opens to the server at most (watches have their own).
    public static let maxRequestConnections = 64

    public let config: KubeConfig
    public let options: Options
    let logger: Logger
    let http: HTTPClient
    let watchHTTP: HTTPClient
    let credentials: CredentialProvider
    let rateLimiter: RateLimiter
    /// Scheme, host and port requests go to (the `tls-server-name` host when one is set).
    let base: String

    public init(config: KubeConfig, options: Options = Options(), logger: Logger = Logger(label: "cutover.kubeapi")) throws {
        self.config = config
        self.options = options
        self.logger = logger
        var clientConfiguration = HTTPClient.Configuration()
        var base = config.server
        if config.server.hasPrefix("https://") {
            var tls = TLSConfiguration.makeClientConfiguration()
            switch config.trust {
            case .systemRoots:
                break
            case .certificateAuthority(let pem):
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(pem))
            case .insecureSkipVerify:
                tls.certificateVerification = .none
            }
            if case .clientCertificate(let certificatePEM, let keyPEM) = config.credentials {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificatePEM).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: keyPEM, format: .pem))
            }
            clientConfiguration.tlsConfiguration = tls
            // tls-server-name: ask for the certificate's name, and resolve that name to the real host.
            if let serverName = config.tlsServerName, !serverName.isEmpty, let parts = Self.hostAndPort(of: config.server) {
                clientConfiguration.dnsOverride = [serverName: parts.host]
                base = "https://\(serverName):\(parts.port)"
            }
        }
        switch options.httpVersion {
        case .http1: clientConfiguration.httpVersion = .http1Only
        case .http2IfOffered: clientConfiguration.httpVersion = .automatic
        }
        clientConfiguration.decompression = .disabled
        clientConfiguration.timeout = .init(connect: .seconds(10), read: .milliseconds(Int64(options.requestTimeout * 1000)))
        // Many concurrent requests must not queue behind HTTP/1's usual 8 connections per host.
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: Self.maxRequestConnections)
        clientConfiguration.connectionPool.preWarmedHTTP1ConnectionCount = options.spareConnections
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        var watchConfiguration = clientConfiguration
        // A watch's connection has nothing to flush when it closes; do not wait NIOSSL's default 5 s
        // for the peer's close_notify on shutdown.
        watchConfiguration.tlsConfiguration?.shutdownTimeout = .milliseconds(500)
        watchConfiguration.timeout = .init(connect: .seconds(10), read: .milliseconds(Int64(options.watchReadTimeout * 1000)))
        // Every watch holds a connection for minutes: give them a pool of their own, without a practical cap.
        watchConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 10_000)
        self.watchHTTP = HTTPClient(eventLoopGroupProvider: .singleton, configuration: watchConfiguration)
        self.credentials = CredentialProvider(credentials: config.credentials, server: config.server)
        self.rateLimiter = RateLimiter(qps: options.qps, burst: options.burst)
        self.base = base
    }

    /// Closes every connection. Call once, before the client is dropped.
    public func shutdown() async throws {
        try await http.shutdown()
        try await watchHTTP.shutdown()
    }

    static func hostAndPort(of server: String) -> (host: String, port: Int)? {
        guard let url = URL(string: server), let host = url.host else { return nil }
        return (host, url.port ?? (url.scheme == "https" ? 443 : 80))
    }

    // MARK: Requests

    /// A response read whole.
    struct RawResponse {
        var code: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    func url(_ path: String, _ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return base + path }
        return base + path + "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
    }

    static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    func makeRequest(
        method: HTTPMethod, path: String, query: [(String, String)], body: [UInt8]?, contentType: String?
    ) async throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url(path, query))
        request.method = method
        request.headers.add(name: "User-Agent", value: options.userAgent)
        request.headers.add(name: "Accept", value: "application/json")
        if let authorization = try await credentials.authorization() {
            request.headers.add(name: "Authorization", value: authorization)
        }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    /// Sends one request with rate limiting, credential refresh and the retry policy, and reads the
    /// whole body. Failure statuses become ``KubeError``.
    func perform(
        _ method: HTTPMethod, path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
        contentType: String? = nil, verb: String, idempotent: Bool
    ) async throws -> RawResponse {
        var attempt = 0
        var refreshedCredentials = false
        while true {
            attempt += 1
            try await rateLimiter.acquire()
            let started = ContinuousClock.now
            let request = try await makeRequest(method: method, path: path, query: query, body: body, contentType: contentType)
            if method != .GET, let fence = options.writeFence, let reason = fence() {
                throw KubeError.fenced(method: method.rawValue, path: path, reason: reason)
            }
            let response: RawResponse
            do {
                let head = try await http.execute(request, timeout: .milliseconds(Int64(options.requestTimeout * 1000)))
                let bytes = try await head.body.collect(upTo: options.maxResponseBytes)
                response = RawResponse(code: Int(head.status.code), headers: head.headers, body: bytes)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                record(verb, 0, since: started)
                let reason = String(describing: error)
                logger.debug("request failed", metadata: ["verb": "\(verb)", "path": "\(path)", "error": "\(reason)"])
                if idempotent, attempt < options.retry.maxBackoffAttempts {
                    try await Task.sleep(for: .seconds(options.retry.backoff(afterAttempt: attempt)))
                    continue
                }
                throw KubeError.transport(method: method.rawValue, path: path, reason: reason)
            }
            record(verb, response.code, since: started)
            logger.debug("request", metadata: ["verb": "\(verb)", "path": "\(path)", "code": "\(response.code)"])
            if (200..<300).contains(response.code) { return response }
            if response.code == 401, credentials.canRefresh, !refreshedCredentials {
                refreshedCredentials = true
                await credentials.invalidate()
                continue
            }
            if let delay = retryDelay(code: response.code, headers: response.headers, attempt: attempt, idempotent: idempotent) {
                try await Task.sleep(for: .seconds(delay))
                continue
            }
            throw KubeError(status: Self.failureStatus(code: response.code, body: response.body))
        }
    }

    /// How long to wait before sending a request again after a failure status, or nil to give up:
    /// a 429/5xx with `Retry-After` waits as told (capped); without it only idempotent requests back off.
    func retryDelay(code: Int, headers: HTTPHeaders, attempt: Int, idempotent: Bool) -> Double? {
        guard code == 429 || code >= 500 else { return nil }
        if let retryAfter = headers.first(name: "Retry-After").flatMap(Double.init), attempt < options.retry.maxRetryAfterAttempts {
            return min(max(retryAfter, 0), options.retry.maxDelay)
        }
        if idempotent, attempt < options.retry.maxBackoffAttempts {
            return options.retry.backoff(afterAttempt: attempt)
        }
        return nil
    }

    private func record(_ verb: String, _ code: Int, since started: ContinuousClock.Instant) {
        guard let observer = options.observer else { return }
        observer(RequestRecord(verb: verb, code: code, seconds: (ContinuousClock.now - started).seconds))
    }

    /// The Status in a failure body, or one made up from the code when the body is not a Status
    /// (a proxy's HTML page, an empty body).
    static func failureStatus(code: Int, body: ByteBuffer) -> Status {
        if var status = try? JSONValueDecoder().decode(Status.self, from: Array(body.readableBytesView)), status.kind == "Status" {
            if status.code == nil { status.code = Int32(code) }
            return status
        }
        let text = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
        let reason: String
        switch code {
        case 400: reason = "BadRequest"
        case 401: reason = "Unauthorized"
        case 403: reason = "Forbidden"
        case 404: reason = "NotFound"
        case 405: reason = "MethodNotAllowed"
        case 409: reason = "Conflict"
        case 410: reason = "Expired"
        case 415: reason = "UnsupportedMediaType"
        case 422: reason = "Invalid"
        case 429: reason = "TooManyRequests"
        case 504: reason = "Timeout"
        case 500...599: reason = "InternalError"
        default: reason = "Unknown"
        }
        let message = text.isEmpty ? "the server responded with HTTP \(code)" : String(text.prefix(500))
        return Status(message: message, reason: reason, code: Int32(code))
    }

    // MARK: Coding

    static func decode<T: Decodable>(_ type: T.Type, from body: ByteBuffer, what: String) throws -> T {
        do {
            return try JSONValueDecoder().decode(T.self, from: Array(body.readableBytesView))
        } catch {
            throw KubeError.decoding(what: what, reason: String(describing: error))
        }
    }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try JSONValueEncoder().encodeBytes(value)
    }
}

/// The version this build reports in its User-Agent.
public enum CutoverVersion {
    public static let current = "0.1.0"
}
