import AsyncHTTPClient
import Foundation
import KubeModels
import NIOCore
import NIOHTTP1

extension KubeClient {
    /// Watches `resource` from `options.resourceVersion`. Nothing is sent until the first `next()`.
    /// The sequence ends when the server ends the watch (its `timeoutSeconds`); a 410 (too old a
    /// resourceVersion) throws ``KubeError/expired(_:)``, after which the caller lists again.
    /// Cancelling the consuming task closes the connection.
    public func watch<T: Decodable & Sendable>(
        _ resource: Resource, as type: T.Type, namespace: String?, options: WatchOptions = WatchOptions()
    ) -> WatchStream<T> {
        WatchStream(client: self, path: resource.path(namespace: resource.namespaced ? namespace : nil), query: options.query)
    }

    /// Typed form of ``watch(_:as:namespace:options:)``; `namespace` nil watches all namespaces.
    public func watch<T: KubeObject>(_ type: T.Type, namespace: String? = nil, options: WatchOptions = WatchOptions()) -> WatchStream<T> {
        watch(T.resource, as: T.self, namespace: namespace, options: options)
    }

    /// Opens a watch connection and returns its body once the server answered 200.
    func openWatch(path: String, query: [(String, String)]) async throws -> HTTPClientResponse.Body {
        var refreshedCredentials = false
        var attempt = 0
        while true {
            attempt += 1
            try await rateLimiter.acquire()
            let request = try await makeRequest(method: .GET, path: path, query: query, body: nil, contentType: nil)
            let response: HTTPClientResponse
            do {
                response = try await watchHTTP.execute(request, timeout: .milliseconds(Int64(options.requestTimeout * 1000)))
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                options.observer?(RequestRecord(verb: "WATCH", code: 0, seconds: 0))
                throw KubeError.transport(method: "GET", path: path, reason: String(describing: error))
            }
            let code = Int(response.status.code)
            options.observer?(RequestRecord(verb: "WATCH", code: code, seconds: 0))
            if code == 200 { return response.body }
            let body = try await response.body.collect(upTo: 1 << 20)
            if code == 401, credentials.canRefresh, !refreshedCredentials {
                refreshedCredentials = true
                await credentials.invalidate()
                continue
            }
            // Only a server's Retry-After opens a watch again here; the reflector owns other backoff.
            if let delay = retryDelay(code: code, headers: response.headers, attempt: attempt, idempotent: false) {
                try await Task.sleep(for: .seconds(delay))
                continue
            }
            throw KubeError(status: Self.failureStatus(code: code, body: body))
        }
    }
}

/// The events of one watch request, as an `AsyncSequence`.
public struct WatchStream<Object: Decodable & Sendable>: AsyncSequence, Sendable {
    public typealias Element = WatchUpdate<Object>
    let client: KubeClient
    let path: String
    let query: [(String, String)]

    public func makeAsyncIterator() -> Iterator {
        Iterator(client: client, path: path, query: query)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let client: KubeClient
        let path: String
        let query: [(String, String)]
        var body: HTTPClientResponse.Body.AsyncIterator?
        var decoder = WatchEventDecoder<Object>()
        var finished = false

        init(client: KubeClient, path: String, query: [(String, String)]) {
            self.client = client
            self.path = path
            self.query = query
        }

        public mutating func next() async throws -> WatchUpdate<Object>? {
            guard !finished else { return nil }
            do {
                if body == nil {
                    body = try await client.openWatch(path: path, query: query).makeAsyncIterator()
                }
                while true {
                    if let update = try decoder.next() { return update }
                    guard let chunk = try await body!.next() else {
                        finished = true
                        body = nil
                        return try decoder.finish()
                    }
                    decoder.feed(chunk)
                }
            } catch {
                finished = true
                body = nil
                if error is KubeError || error is CancellationError { throw error }
                if Task.isCancelled { throw CancellationError() }
                throw KubeError.transport(method: "GET", path: path, reason: "watch stream broke: \(error)")
            }
        }
    }
}
