import Foundation
import KubeModels

extension APIServer {
    /// A watch (KUBE-API.md §5): newline-delimited JSON events in a chunked body, starting with
    /// synthetic ADDED events for RV unset/0, or the history after RV N (410 Expired ERROR event
    /// when it is gone); bookmarks only when asked; ends at `timeoutSeconds`.
    func watch(_ request: HTTPRequest, _ type: ResourceType, namespace: String?) throws -> HTTPResponse {
        let filter = try Filter(request, type)
        let options = ReadOptions(request)
        let bookmarks = request.query["allowWatchBookmarks"] == "true"
        let requested = request.query["resourceVersion"] ?? ""
        let sendInitialEvents = request.query["sendInitialEvents"] == "true"
        if request.query["sendInitialEvents"] != nil, request.query["resourceVersionMatch"] != "NotOlderThan" {
            throw APIError.invalidWatchListRequest
        }
        if sendInitialEvents, !bookmarks { throw APIError.invalidWatchListRequest }
        let timeout = Double(request.query["timeoutSeconds"] ?? "").map { max($0, 0) }
        let from: UInt64? = (requested.isEmpty || requested == "0" || sendInitialEvents) ? nil : UInt64(requested)
        if !requested.isEmpty, requested != "0", UInt64(requested) == nil {
            throw APIError.badRequest("invalid resource version: \(requested)")
        }

        let (output, continuation) = AsyncStream<[UInt8]>.makeStream()
        let subscription: ObjectStore.Subscription
        let initial: [StoreEvent]
        let signals: AsyncStream<WatchSignal>
        let startVersion: UInt64
        do {
            (initial, signals, subscription, startVersion) = try store.subscribe(type.storageKey, from: from)
        } catch ObjectStore.WatchStart.tooOld(let requestedVersion, let oldest) {
            let status = APIError.expired("too old resource version: \(requestedVersion) (\(oldest + 1))")
            continuation.yield(eventLine("ERROR", status.json))
            continuation.finish()
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: .stream(output))
        }
        var encoder = WatchEncoder(server: self, type: type, options: options)
        let store = self.store
        let worker = Task {
            for event in initial {
                if let visible = encoder.visible(event, namespace: namespace, filter: filter) {
                    continuation.yield(encoder.line(visible))
                }
            }
            if sendInitialEvents {
                continuation.yield(encoder.bookmark(startVersion, initialEventsEnd: true))
            }
            for await signal in signals {
                switch signal {
                case .event(let event):
                    if let visible = encoder.visible(event, namespace: namespace, filter: filter) {
                        continuation.yield(encoder.line(visible))
                    }
                case .bookmark(let version) where bookmarks:
                    continuation.yield(encoder.bookmark(version, initialEventsEnd: false))
                default:
                    continue
                }
            }
            continuation.finish()
        }
        let timer = Task {
            let started = Date()
            while !Task.isCancelled {
                let left = timeout.map { $0 - Date().timeIntervalSince(started) } ?? 3600
                if left <= 0 { break }
                try? await Task.sleep(for: .seconds(min(left, bookmarks ? 5 : 3600)))
                let expired = timeout.map { Date().timeIntervalSince(started) >= $0 } ?? false
                if bookmarks, !expired, !Task.isCancelled { store.requestBookmark(subscription) }
            }
            if !Task.isCancelled { store.unsubscribe(subscription) }
        }
        continuation.onTermination = { _ in
            timer.cancel()
            worker.cancel()
            store.unsubscribe(subscription)
        }
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: .stream(output))
    }

    func eventLine(_ type: String, _ object: JSONValue) -> [UInt8] {
        var out = JSONWriter.bytes(.object(["type": .string(type), "object": object]))
        out.append(0x0A)
        return out
    }
}

/// Turns store events into watch lines for one watch, as JSON objects or one-row Tables (only
/// the first Table event carries `columnDefinitions`, as the real server does).
struct WatchEncoder {
    let server: APIServer
    let type: ResourceType
    let options: APIServer.ReadOptions
    private var sentColumns = false

    init(server: APIServer, type: ResourceType, options: APIServer.ReadOptions) {
        self.server = server
        self.type = type
        self.options = options
    }

    /// The event as this watch sees it, or `nil` when it is not for this watch. With selectors,
    /// a modification that makes an object match is ADDED and one that makes it stop is DELETED.
    func visible(_ event: StoreEvent, namespace: String?, filter: APIServer.Filter) -> StoreEvent? {
        if let namespace, event.object[path: ["metadata", "namespace"]]?.stringValue != namespace { return nil }
        let matches = filter.matches(event.object)
        guard event.kind == .modified, !filter.isEmpty, let previous = event.previous else {
            return matches ? event : nil
        }
        var result = event
        switch (filter.matches(previous), matches) {
        case (true, true): return event
        case (false, true): result.kind = .added
        case (true, false): result.kind = .deleted
        case (false, false): return nil
        }
        return result
    }

    mutating func line(_ event: StoreEvent) -> [UInt8] {
        let object = server.render(event.object, as: type)
        if options.asTable {
            var table = TableConverter.table(
                type, [object], includeObject: options.includeObject,
                resourceVersion: object[path: ["metadata", "resourceVersion"]]?.stringValue ?? "", continueToken: nil)
            if sentColumns { table["columnDefinitions"] = nil }
            sentColumns = true
            return server.eventLine(event.kind.rawValue, table)
        }
        return server.eventLine(event.kind.rawValue, object)
    }

    func bookmark(_ version: UInt64, initialEventsEnd: Bool) -> [UInt8] {
        var metadata: [String: JSONValue] = ["resourceVersion": .string(String(version))]
        if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        return server.eventLine(
            "BOOKMARK", .object(["kind": .string(type.kind), "apiVersion": .string(type.apiVersion), "metadata": .object(metadata)]))
    }
}

extension APIError {
    static let invalidWatchListRequest = APIError(
        code: 422, reason: "Invalid",
        message: "ListOptions.meta.k8s.io \"\" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled and resourceVersionMatch is NotOlderThan with allowWatchBookmarks",
        details: StatusDetails(kind: "ListOptions", causes: [StatusCause(reason: "FieldValueForbidden", message: "Forbidden: sendInitialEvents is forbidden for watch unless resourceVersionMatch is NotOlderThan", field: "sendInitialEvents")]))
}
