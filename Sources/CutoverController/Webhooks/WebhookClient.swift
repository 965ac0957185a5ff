import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends requests to gate hooks, notification receivers and web metrics. One connection pool for
/// all of them, made at the first request (most controllers never send one); every exchange ends
/// by its timeout, a body that stalls after the headers included.
final class WebhookClient: Sendable {
    /// What a receiver answered.
    struct Response: Sendable, Hashable {
        var status: Int
        /// The body as read: at most the bytes the request asked to keep.
        var bytes: [UInt8]

        /// The start of the body, as text (at most ``WebhookClient/bodyPreview`` bytes).
        var body: String { String(decoding: bytes.prefix(WebhookClient.bodyPreview), as: UTF8.self) }

        /// Whether the status is 2xx.
        var isSuccess: Bool { (200..<300).contains(status) }

        /// `HTTP 503: <start of the body>`, for status and Events.
        var summary: String {
            let text = body.split(whereSeparator: \.isNewline).joined(separator: " ")
            return text.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(text)"
        }
    }

    /// Why an exchange produced no answer.
    enum Failure: Error, CustomStringConvertible, Sendable {
        case timedOut(seconds: Int64)
        case transport(String)
        /// The URL is not http(s). It is not repeated: it may come from a Secret.
        case invalidURL
        /// The outbound policy refused the target; trying again changes nothing.
        case refused(String)
        case shutDown

        var description: String {
            switch self {
            case .shutDown: "the controller is shutting down"
            case .timedOut(let seconds): "no answer within \(seconds)s"
            case .transport(let message): message
            case .invalidURL: "the URL is not an http:// or https:// URL"
            case .refused(let message): message
            }
        }
    }

    /// Bytes of a response body kept for messages.
    static let bodyPreview = 300

    /// The pool once made; `closed` after ``shutdown()``.
    private let pool = Mutex<(http: HTTPClient?, closed: Bool)>((nil, false))
    private let policy: OutboundPolicy
    private let logger: Logger

    /// - Parameter policy: where POSTs may go (hooks and notifications are checked as their own targets).
    init(policy: OutboundPolicy = OutboundPolicy(), logger: Logger = Logger(label: "cutover.webhooks")) {
        self.policy = policy
        self.logger = logger
    }

    private func client() throws -> HTTPClient {
        try pool.withLock { pool in
            if pool.closed { throw Failure.shutDown }
            if let http = pool.http { return http }
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            configuration.connectionPool.idleTimeout = .seconds(30)
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            pool.http = http
            return http
        }
    }

    /// Sends `body` (JSON, if any) to `url` with `headers`, if the outbound policy lets `target`
    /// reach it; the whole exchange takes at most `timeout` seconds. Any answer is returned, 2xx
    /// or not, with the first `keep` bytes of its body (the rest is not read); throws ``Failure``
    /// when there is none.
    func send(
        _ url: String, method: HTTPMethod = .POST, target: OutboundPolicy.Target, body: [UInt8]?, headers: [(String, String)] = [],
        timeout: Int64, keep: Int = bodyPreview
    ) async throws -> Response {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw Failure.invalidURL }
        if let refusal = await policy.refusal(of: url, for: target) { throw Failure.refused(refusal) }
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        request.headers.add(name: "User-Agent", value: "cutover-controller")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let http = try client(), logger = self.logger, prepared = request
        let deadline = NIODeadline.now() + .seconds(timeout)
        return try await withThrowingTaskGroup(of: Response.self) { group in
            group.addTask {
                do {
                    let response = try await http.execute(prepared, deadline: deadline, logger: logger)
                    var collected = ByteBuffer()
                    for try await var chunk in response.body {
                        collected.writeBuffer(&chunk)
                        if collected.readableBytes >= keep { break }
                    }
                    return Response(status: Int(response.status.code), bytes: Array(collected.readableBytesView.prefix(keep)))
                } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                    throw Failure.timedOut(seconds: timeout)
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    throw Failure.transport(String(describing: error))
                }
            }
            group.addTask {
                // The deadline covers only the headers; this ends a body that stalls after them.
                try await Task.sleep(for: .seconds(timeout) + .milliseconds(250))
                throw Failure.timedOut(seconds: timeout)
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            return first
        }
    }

    /// Closes the connection pool; later requests fail with ``Failure/shutDown``.
    func shutdown() async {
        let http = pool.withLock { pool in
            pool.closed = true
            defer { pool.http = nil }
            return pool.http
        }
        try? await http?.shutdown()
    }
}
