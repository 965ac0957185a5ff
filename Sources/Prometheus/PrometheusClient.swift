import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A client of one Prometheus server's HTTP API (`/api/v1/query`).
///
/// Owns a connection pool: create one per ``PrometheusConfiguration``, share it between tasks
/// (it is `Sendable`), and call ``shutdown()`` when done with it.
public final class PrometheusClient: Sendable {
    /// The configuration this client was made with.
    public let configuration: PrometheusConfiguration
    private let http: HTTPClient
    private let queryURL: String
    private let logger: Logger

    /// Makes a client; throws ``PrometheusError/invalidConfiguration(_:)`` for an address that is
    /// not `http://` or `https://` or a CA bundle that does not parse.
    public init(configuration: PrometheusConfiguration, logger: Logger = Logger(label: "cutover.prometheus")) throws {
        let address = configuration.address
        let scheme = address.hasPrefix("https://") ? "https://" : address.hasPrefix("http://") ? "http://" : nil
        guard let scheme, address.count > scheme.count else {
            throw PrometheusError.invalidConfiguration("address must start with http:// or https://, not \"\(address)\"")
        }
        var base = Substring(address)
        while base.hasSuffix("/") { base = base.dropLast() }
        queryURL = base + "/api/v1/query"
        self.configuration = configuration
        self.logger = logger

        var clientConfiguration = HTTPClient.Configuration()
        let timeout = TimeAmount.nanoseconds(Self.nanoseconds(configuration.timeout))
        clientConfiguration.timeout = .init(connect: timeout, read: timeout)
        clientConfiguration.redirectConfiguration = .disallow
        if address.hasPrefix("https://") {
            var tls = TLSConfiguration.makeClientConfiguration()
            if let pem = configuration.caCertificatesPEM {
                do {
                    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(pem))
                } catch {
                    throw PrometheusError.invalidConfiguration("the CA certificates are not PEM: \(error)")
                }
            }
            if configuration.insecureSkipVerify { tls.certificateVerification = .none }
            clientConfiguration.tlsConfiguration = tls
        }
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
    }

    /// Closes the connection pool. Queries after this fail.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// Evaluates `promql` at `time` (an instant query).
    ///
    /// - Parameter timeout: overrides ``PrometheusConfiguration/timeout`` for this query; the whole
    ///   exchange (connect, send, wait, read) ends by then (plus at most 250 ms) with
    ///   ``PrometheusError/timedOut(seconds:)``, or with the last connection error when the server
    ///   could not be reached at all (connections are retried until the deadline).
    /// - Throws: ``PrometheusError`` for every failure to get a result, or `CancellationError` when
    ///   the calling task is cancelled.
    public func query(_ promql: String, at time: Date, timeout: Duration? = nil) async throws -> QueryResponse {
        let limit = timeout ?? configuration.timeout
        let request = makeRequest(promql, at: time, timeout: limit)
        let http = self.http, maxBytes = configuration.maxResponseBytes, logger = self.logger
        let deadline = NIODeadline.now() + .nanoseconds(Self.nanoseconds(limit))
        return try await withThrowingTaskGroup(of: QueryResponse.self) { group in
            group.addTask {
                let (status, body) = try await Self.exchange(
                    request, http: http, deadline: deadline, timeout: limit, maxBytes: maxBytes, logger: logger)
                return try QueryResponse.decode(body, httpStatus: status)
            }
            group.addTask {
                // A backstop for a body that stalls after the headers (the deadline covers only
                // those). It fires a little after the deadline so that, for a dead server, the
                // connection pool's own answer (refused, TLS failure) wins and names the cause.
                try await Task.sleep(for: limit + Self.backstopGrace)
                throw PrometheusError.timedOut(seconds: Self.seconds(limit))
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            return first
        }
    }

    /// A form-encoded POST: a long query fits, and nothing of it ends up in proxy access logs.
    func makeRequest(_ promql: String, at time: Date, timeout: Duration) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: queryURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "cutover")
        if let authorization = configuration.authorization.headerValue {
            request.headers.add(name: "Authorization", value: authorization)
        }
        for header in configuration.headers { request.headers.add(name: header.name, value: header.value) }
        let form = FormEncoding.encode([
            ("query", promql), ("time", Self.timeParameter(time)), ("timeout", Self.durationParameter(timeout)),
        ])
        request.body = .bytes(ByteBuffer(string: form))
        return request
    }

    private static func exchange(
        _ request: HTTPClientRequest, http: HTTPClient, deadline: NIODeadline, timeout: Duration, maxBytes: Int, logger: Logger
    ) async throws -> (Int, [UInt8]) {
        do {
            let response = try await http.execute(request, deadline: deadline, logger: logger)
            let buffer = try await response.body.collect(upTo: maxBytes)
            return (Int(response.status.code), Array(buffer.readableBytesView))
        } catch let error as PrometheusError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw PrometheusError.timedOut(seconds: seconds(timeout))
        } catch let error as HTTPClientError where error == .cancelled {
            throw CancellationError()
        } catch is NIOTooManyBytesError {
            // The error's own count is what was left of the limit when the last chunk came.
            throw PrometheusError.decoding("the answer is larger than \(maxBytes) bytes")
        } catch {
            throw PrometheusError.transport(String(describing: error))
        }
    }

    /// How long after the deadline the backstop timer ends a query.
    static let backstopGrace: Duration = .milliseconds(250)

    /// Unix seconds with millisecond precision, as Prometheus parses `time`.
    static func timeParameter(_ time: Date) -> String {
        let millis = Int64((time.timeIntervalSince1970 * 1000).rounded())
        let fraction = abs(millis % 1000)
        let padded = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(millis / 1000).\(padded)"
    }

    /// A Prometheus duration in whole milliseconds (`1500ms`), at least 1ms.
    static func durationParameter(_ duration: Duration) -> String {
        "\(max(1, nanoseconds(duration) / 1_000_000))ms"
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(nanoseconds(duration)) / 1e9
    }
}
