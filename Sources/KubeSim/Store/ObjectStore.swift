import Collections
import Foundation
import KubeModels

/// One change to the store, as a watch stream delivers it.
struct StoreEvent: Sendable {
    enum Kind: String, Sendable { case added = "ADDED", modified = "MODIFIED", deleted = "DELETED" }
    var kind: Kind
    var storageKey: String
    var resourceVersion: UInt64
    var object: JSONValue
    /// The state before a modification, so a filtered watch can tell an object that starts or
    /// stops matching its selectors (sent as ADDED or DELETED, as the real server does).
    var previous: JSONValue?
}

/// What an open watch receives: a change, or a point where a bookmark may be sent because
/// every change up to that version has already been delivered.
enum WatchSignal: Sendable {
    case event(StoreEvent)
    case bookmark(UInt64)
}

/// The whole cluster state in memory: objects by resource, one global resourceVersion counter,
/// a bounded history of changes (so a watch from a too-old version gets 410 Expired) and the
/// open watches. Every write goes through ``mutate(_:namespace:name:_:)`` under one lock, which
/// makes read-check-write (optimistic concurrency, finalizers) atomic.
final class ObjectStore: @unchecked Sendable {
    /// What a mutation decides to do with the object it was shown.
    enum Mutation {
        case put(JSONValue)
        case delete
        case keep
    }

    /// An open watch: the resource it follows and where its events go.
    final class Subscription: @unchecked Sendable {
        let storageKey: String
        let continuation: AsyncStream<WatchSignal>.Continuation
        init(storageKey: String, continuation: AsyncStream<WatchSignal>.Continuation) {
            self.storageKey = storageKey
            self.continuation = continuation
        }
    }

    private let lock = NSLock()
    private var objects: [String: [String: JSONValue]] = [:]  // storageKey → "ns/name" → object
    // The JSON bytes of each stored object, written once per change: a full list of 10,000
    // objects then copies bytes instead of serializing 10,000 trees.
    private var encoded: [String: [String: [UInt8]]] = [:]
    private var sortedKeys: [String: [String]] = [:]  // each resource's keys in order, once listed
    private var revision: UInt64 = 1
    private var history = Deque<StoreEvent>()
    private let historyLimit: Int
    private var subscriptions: [ObjectIdentifier: Subscription] = [:]
    private var commitObservers: [@Sendable (JSONValue) -> Void] = []

    init(historyLimit: Int = 10_000) {
        self.historyLimit = historyLimit
    }

    /// The current global resourceVersion.
    var resourceVersion: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return revision
    }

    /// The oldest resourceVersion a watch may still resume from.
    var oldestResumableVersion: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return (history.first?.resourceVersion ?? revision + 1) - 1
    }

    static func key(namespace: String?, name: String) -> String {
        if let namespace, !namespace.isEmpty { return "\(namespace)/\(name)" }
        return name
    }

    /// The stored object, if any.
    func get(_ storageKey: String, namespace: String?, name: String) -> JSONValue? {
        lock.lock()
        defer { lock.unlock() }
        return objects[storageKey]?[Self.key(namespace: namespace, name: name)]
    }

    /// Every object of a resource (in `namespace` when given), sorted by key, with the version read.
    func list(_ storageKey: String, namespace: String?, after continueKey: String? = nil) -> ([JSONValue], UInt64) {
        lock.lock()
        defer { lock.unlock() }
        return (unlockedList(storageKey, namespace: namespace, after: continueKey).map(\.1), revision)
    }

    /// One page of a list: up to `limit` objects (0: all) that `matches` accepts, in key order
    /// after `continueKey`, each with its stored JSON bytes. Like a real API server reading a range
    /// from etcd, it reads only until the page is full (and one more match, to know there is one):
    /// a list of 60,000 objects in pages of 500 does not walk all of them for every page.
    /// `nextKey`: where the next page starts after, when there is one; `remaining`: the keys from
    /// there on (what `remainingItemCount` reports when nothing is filtered).
    func listPage(
        _ storageKey: String, namespace: String?, after continueKey: String?, limit: Int,
        matching matches: (JSONValue) -> Bool
    ) -> (page: [(key: String, object: JSONValue, bytes: [UInt8])], nextKey: String?, remaining: Int, version: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        guard let table = objects[storageKey] else { return ([], nil, 0, revision) }
        let stored = encoded[storageKey] ?? [:]
        let keys = unlockedSortedKeys(storageKey)
        let (start, end) = range(keys, namespace: namespace, after: continueKey)
        var page: [(key: String, object: JSONValue, bytes: [UInt8])] = []
        for index in start..<end {
            let key = keys[index]
            guard let object = table[key], matches(object) else { continue }
            if limit > 0, page.count == limit {
                return (page, keys[index - 1], end - index, revision)
            }
            page.append((key, object, stored[key] ?? JSONWriter.bytes(object)))
        }
        return (page, nil, 0, revision)
    }

    private func unlockedList(_ storageKey: String, namespace: String?, after continueKey: String?) -> [(String, JSONValue)] {
        guard let table = objects[storageKey] else { return [] }
        let keys = unlockedSortedKeys(storageKey)
        let (start, end) = range(keys, namespace: namespace, after: continueKey)
        return keys[start..<end].map { ($0, table[$0]!) }
    }

    /// The keys of a resource in order, sorted once and kept in order as keys come and go.
    private func unlockedSortedKeys(_ storageKey: String) -> [String] {
        if let cached = sortedKeys[storageKey] { return cached }
        let keys = (objects[storageKey] ?? [:]).keys.sorted()
        sortedKeys[storageKey] = keys
        return keys
    }

    /// The indices of `keys` in `namespace` (all without one), after `continueKey`.
    private func range(_ keys: [String], namespace: String?, after continueKey: String?) -> (start: Int, end: Int) {
        var start = 0
        var end = keys.count
        if let namespace, !namespace.isEmpty {
            start = lowerBound(keys, namespace + "/")
            end = lowerBound(keys, namespace + "0")  // "0" follows "/": the first key past the namespace
        }
        if let continueKey {
            start = max(start, upperBound(keys, continueKey))
        }
        return (start, max(start, end))
    }

    private func lowerBound(_ keys: [String], _ value: String) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private func upperBound(_ keys: [String], _ value: String) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Reads the object under the lock, lets `body` decide, and applies its decision: a put
    /// stamps the next resourceVersion into `metadata.resourceVersion` and records an ADDED or
    /// MODIFIED event; a delete records DELETED with the deletion's version. Returns the object
    /// as stored (or as deleted), or `nil` when `body` kept things as they were.
    @discardableResult
    func mutate(
        _ storageKey: String, namespace: String?, name: String, _ body: (JSONValue?) throws -> Mutation
    ) throws -> JSONValue? {
        let key = Self.key(namespace: namespace, name: name)
        lock.lock()
        defer { lock.unlock() }
        let current = objects[storageKey]?[key]
        switch try body(current) {
        case .keep:
            return nil
        case .put(var object):
            var metadata = object["metadata"]?.objectValue ?? [:]
            metadata["resourceVersion"] = .string(String(revision + 1))
            object["metadata"] = .object(metadata)
            let bytes = JSONWriter.bytes(object)
            guard bytes.count <= APIError.maxStoredObjectBytes else { throw APIError.objectTooLarge }
            revision += 1
            if current == nil, sortedKeys[storageKey] != nil {
                sortedKeys[storageKey]!.insert(key, at: lowerBound(sortedKeys[storageKey]!, key))
            }
            objects[storageKey, default: [:]][key] = object
            encoded[storageKey, default: [:]][key] = bytes
            record(StoreEvent(kind: current == nil ? .added : .modified, storageKey: storageKey,
                              resourceVersion: revision, object: object, previous: current))
            return object
        case .delete:
            guard var object = current else { return nil }
            revision += 1
            object["metadata"]?["resourceVersion"] = .string(String(revision))
            objects[storageKey]?[key] = nil
            encoded[storageKey]?[key] = nil
            if let index = sortedKeys[storageKey].map({ lowerBound($0, key) }), sortedKeys[storageKey]![index...].first == key {
                sortedKeys[storageKey]!.remove(at: index)
            }
            record(StoreEvent(kind: .deleted, storageKey: storageKey, resourceVersion: revision, object: object))
            return object
        }
    }

    /// Calls `observer` with each object as its change is committed (see ``KubeSim/observeCommits(_:)``).
    func observeCommits(_ observer: @escaping @Sendable (JSONValue) -> Void) {
        lock.withLock { commitObservers.append(observer) }
    }

    private func record(_ event: StoreEvent) {
        for observer in commitObservers { observer(event.object) }
        history.append(event)
        if history.count > historyLimit { history.removeFirst() }
        for subscription in subscriptions.values where subscription.storageKey == event.storageKey {
            subscription.continuation.yield(.event(event))
        }
    }

    /// Why a watch cannot start.
    enum WatchStart: Error { case tooOld(requested: UInt64, oldest: UInt64) }

    /// Opens a watch on a resource. With `from == nil` the stream starts with an ADDED event for
    /// every current object (returned as `initial`); otherwise it replays the history after
    /// `from`, or throws ``WatchStart/tooOld(requested:oldest:)`` when that history is gone.
    func subscribe(
        _ storageKey: String, from: UInt64?
    ) throws -> (initial: [StoreEvent], stream: AsyncStream<WatchSignal>, subscription: Subscription, version: UInt64) {
        let (stream, continuation) = AsyncStream<WatchSignal>.makeStream()
        let subscription = Subscription(storageKey: storageKey, continuation: continuation)
        lock.lock()
        defer { lock.unlock() }
        var initial: [StoreEvent] = []
        if let from {
            let oldest = (history.first?.resourceVersion ?? revision + 1) - 1
            if from < oldest { throw WatchStart.tooOld(requested: from, oldest: oldest) }
            initial = history.filter { $0.storageKey == storageKey && $0.resourceVersion > from }
        } else {
            initial = unlockedList(storageKey, namespace: nil, after: nil).map {
                StoreEvent(kind: .added, storageKey: storageKey, resourceVersion: revision, object: $0.1)
            }
        }
        subscriptions[ObjectIdentifier(subscription)] = subscription
        return (initial, stream, subscription, revision)
    }

    /// Queues a bookmark at the current version into one watch, after every change already sent to it.
    func requestBookmark(_ subscription: Subscription) {
        lock.lock()
        defer { lock.unlock() }
        subscription.continuation.yield(.bookmark(revision))
    }

    /// Watches open now.
    var openWatchCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return subscriptions.count
    }

    /// Closes a watch opened by ``subscribe(_:from:)``.
    func unsubscribe(_ subscription: Subscription) {
        lock.lock()
        subscriptions[ObjectIdentifier(subscription)] = nil
        lock.unlock()
        subscription.continuation.finish()
    }

    /// Ends the watches of one resource (its CRD was deleted, so the resource is gone).
    func closeWatches(_ storageKey: String) {
        lock.lock()
        let matching = subscriptions.filter { $0.value.storageKey == storageKey }
        for key in matching.keys { subscriptions[key] = nil }
        lock.unlock()
        for subscription in matching.values { subscription.continuation.finish() }
    }

    /// How many watches are open.
    var watchCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return subscriptions.count
    }

    /// Ends every open watch now (fault injection: "drop all watches").
    func dropAllWatches() {
        lock.lock()
        let all = subscriptions.values
        subscriptions = [:]
        lock.unlock()
        for subscription in all { subscription.continuation.finish() }
    }

    /// Every stored object with its storage key (a consistent snapshot), for the garbage collector.
    func allObjects() -> [(storageKey: String, object: JSONValue)] {
        lock.lock()
        defer { lock.unlock() }
        var result: [(storageKey: String, object: JSONValue)] = []
        for (storageKey, table) in objects {
            for object in table.values { result.append((storageKey, object)) }
        }
        return result
    }

    /// The storage keys that currently hold at least one object.
    var storageKeys: [String] {
        lock.lock()
        defer { lock.unlock() }
        return Array(objects.keys)
    }
}
