import KubeAPI
import KubeModels
import Logging
import Synchronization

/// Keeps a ``Store`` in step with the API server for one kind: lists (page by page), then watches
/// from the list's resourceVersion, in the manner of client-go's reflector and kube-rs's watcher.
///
/// - When the server ends a watch (its `timeoutSeconds`, or a dropped connection) the reflector
///   watches again from the last resourceVersion it saw, without listing.
/// - A 410 Expired (that version left the server's history) makes it list again.
/// - Other failures back off with jitter (capped) and retry.
/// - Subscribers of ``changes()`` hear every change applied to the store.
///
/// Call ``run()`` from a task you own; it returns when that task is cancelled.
public final class Reflector<Object: KubeObject>: Sendable {
    /// What to watch and how.
    public struct Configuration: Sendable {
        /// The namespace to watch; nil watches all namespaces (or a cluster-scoped kind).
        public var namespace: String?
        /// Only objects matching this label selector, e.g. `cutover.dev/rollout`.
        public var labelSelector: String?
        /// Only objects matching this field selector, e.g. `metadata.name=web`.
        public var fieldSelector: String?
        /// Items per list page.
        public var pageSize: Int
        /// Each watch asks the server to end it after a random number of seconds in this range, so
        /// many reflectors do not reconnect in step.
        public var watchTimeoutSeconds: ClosedRange<Int>
        /// Delay before retrying after a failure.
        public var backoff: Backoff

        public init(
            namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int = 500,
            watchTimeoutSeconds: ClosedRange<Int> = 300...600,
            backoff: Backoff = Backoff(initial: .milliseconds(800), maximum: .seconds(30), jitter: 0.5)
        ) {
            self.namespace = namespace
            self.labelSelector = labelSelector
            self.fieldSelector = fieldSelector
            self.pageSize = pageSize
            self.watchTimeoutSeconds = watchTimeoutSeconds
            self.backoff = backoff
        }
    }

    /// Where the reflector is in its cycle.
    public enum State: Sendable, Equatable {
        /// Not started, or stopped.
        case empty
        /// Listing; the store still shows the previous list (or nothing before the first).
        case listing
        /// Watching from this resourceVersion; the store is complete up to it.
        case watching(resourceVersion: String)
        /// Waiting `attempt`'s backoff after a failure.
        case backingOff(attempt: Int)
    }

    /// How often the reflector did what; for tests and metrics.
    public struct Counters: Sendable, Equatable {
        /// Complete lists (each may span several pages).
        public var lists = 0
        /// Lists caused by a 410 Expired.
        public var expiredRelists = 0
        /// Watch requests started.
        public var watches = 0
        /// Failed list or watch requests (not counting 410s).
        public var failures = 0
        /// Events applied to the store from watches.
        public var events = 0
        /// Watch events of a version the store held already (mostly our own writes coming back,
        /// already assumed): not decoded, no change.
        public var held = 0
        /// Listed or watched objects that did not fit the model: left out of the store (a watched
        /// one is removed), each logged with its name and the reason.
        public var undecodable = 0
    }

    private struct Shared {
        var state: State = .empty
        var counters = Counters()
        var synced = false
        var syncWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// The cache this reflector fills.
    public let store: Store<Object>
    public let configuration: Configuration
    private let client: KubeClient
    private let resource: Resource
    private let logger: Logger
    private let shared = Mutex(Shared())
    private let broadcaster = Broadcaster<ObjectChange<Object>>()

    public init(
        client: KubeClient, resource: Resource = Object.resource, configuration: Configuration = Configuration(),
        store: Store<Object> = Store(), logger: Logger = Logger(label: "cutover.reflector")
    ) {
        self.client = client
        self.resource = resource
        self.configuration = configuration
        self.store = store
        var logger = logger
        logger[metadataKey: "resource"] = "\(resource)"
        self.logger = logger
    }

    // MARK: Observing

    /// The current state.
    public var state: State { shared.withLock { $0.state } }

    /// What the reflector has done so far.
    public var counters: Counters { shared.withLock { $0.counters } }

    /// Whether the first complete list is in the store.
    public var hasSynced: Bool { shared.withLock { $0.synced } }

    /// Returns once the first complete list is in the store, or when ``run()`` returns.
    public func waitUntilSynced() async {
        await withCheckedContinuation { continuation in
            let ready = shared.withLock { shared in
                if shared.synced { return true }
                shared.syncWaiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// A stream of every change applied to the store from now on. It ends when ``run()`` returns;
    /// drop the stream (or cancel its consumer) to unsubscribe. Subscribe before ``run()`` starts
    /// to hear the first list as `added` changes.
    public func changes() -> AsyncStream<ObjectChange<Object>> { broadcaster.subscribe() }

    /// Like ``changes()``, but each change is mapped by `map` as it is applied (nil: skipped), and
    /// only the result waits in the stream. A subscriber that needs keys rather than objects holds
    /// no object while it lags behind a burst of changes (10,000 Deployments scaling at once).
    public func changes<Value: Sendable>(_ map: @escaping @Sendable (ObjectChange<Object>) -> Value?) -> AsyncStream<Value> {
        broadcaster.subscribe(map: map)
    }

    /// Puts our own write in the store now (``Store/assumeWritten(_:over:)``) and tells the
    /// subscribers at once, so what waits on it (a group on its member's status) does not wait for
    /// the watch to bring it back.
    public func assumeWritten(_ written: Object, over base: String) {
        if let change = store.assumeWritten(written, over: base) { publish([change]) }
    }

    // MARK: Running

    /// Lists and watches until the calling task is cancelled, then ends every ``changes()`` stream.
    public func run() async {
        broadcaster.reopen()
        var resourceVersion: String?
        var attempt = 0
        while !Task.isCancelled {
            do {
                if resourceVersion == nil {
                    setState(.listing)
                    resourceVersion = try await relist()
                    attempt = 0
                }
                setState(.watching(resourceVersion: resourceVersion!))
                let delivered = try await watch(from: &resourceVersion, resettingBackoff: &attempt)
                // The server ended the watch: resume from where it left off. A watch that ends at
                // once without delivering anything is treated as a failure so a misbehaving server
                // cannot make us spin.
                if delivered { attempt = 0 } else { try await backOff(attempt: &attempt) }
            } catch is CancellationError {
                break
            } catch KubeError.expired {
                logger.info("resourceVersion expired; listing again", metadata: ["resourceVersion": "\(resourceVersion ?? "")"])
                shared.withLock { $0.counters.expiredRelists += 1 }
                resourceVersion = nil
            } catch {
                if Task.isCancelled { break }
                shared.withLock { $0.counters.failures += 1 }
                logger.warning("list/watch failed: \(error)")
                do { try await backOff(attempt: &attempt) } catch { break }
            }
        }
        let waiters = shared.withLock { shared in
            shared.state = .empty
            let waiters = shared.syncWaiters
            shared.syncWaiters.removeAll()
            return waiters
        }
        broadcaster.finish()
        for waiter in waiters { waiter.resume() }
    }

    private func backOff(attempt: inout Int) async throws {
        attempt += 1
        setState(.backingOff(attempt: attempt))
        try await Task.sleep(for: configuration.backoff.delay(attempt: attempt))
    }

    /// Lists every page into a buffer, then swaps it into the store and reports the differences.
    /// Returns the list's resourceVersion.
    private func relist() async throws -> String {
        var options = ListOptions(
            labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector,
            limit: configuration.pageSize)
        var items: [Object] = []
        let firstPage = try await client.listPage(resource, as: Decoded<Object>.self, namespace: configuration.namespace, options: options)
        let resourceVersion = firstPage.metadata.resourceVersion ?? ""
        items.append(contentsOf: readable(firstPage.items))
        var token = firstPage.metadata.continue
        while let next = token, !next.isEmpty {
            do {
                let page = try await client.listPage(
                    resource, as: Decoded<Object>.self, namespace: configuration.namespace, options: options, continue: next)
                items.append(contentsOf: readable(page.items))
                token = page.metadata.continue
            } catch KubeError.expired {
                // The continue token outlived the server's history: one unpaged list instead.
                options.limit = nil
                return try await relistUnpaged(options)
            }
        }
        install(items, resourceVersion: resourceVersion)
        return resourceVersion
    }

    private func relistUnpaged(_ options: ListOptions) async throws -> String {
        let list = try await client.listPage(resource, as: Decoded<Object>.self, namespace: configuration.namespace, options: options)
        let resourceVersion = list.metadata.resourceVersion ?? ""
        install(readable(list.items), resourceVersion: resourceVersion)
        return resourceVersion
    }

    /// The items that fit the model, in the store's form; the others are logged and counted.
    private func readable(_ items: [Decoded<Object>]) -> [Object] {
        items.compactMap { item in
            switch item {
            case .object(let object): return store.cachedForm(of: object)
            case .undecodable(let unreadable):
                skip(unreadable)
                return nil
            }
        }
    }

    private func skip(_ unreadable: UndecodableObject) {
        shared.withLock { $0.counters.undecodable += 1 }
        logger.warning(
            "an object does not fit the model; it is left out of the cache",
            metadata: ["object": "\(unreadable.namespace.map { "\($0)/" } ?? "")\(unreadable.name)", "reason": "\(unreadable.reason)"])
    }

    private func install(_ items: [Object], resourceVersion: String) {
        let previous = store.replaceAll(items, transformed: true)
        let current = store.snapshot()
        var changes: [ObjectChange<Object>] = []
        for (key, object) in current.objects {
            if let old = previous[key] {
                if old.metadata.resourceVersion != object.metadata.resourceVersion {
                    changes.append(.modified(old: old, new: object))
                }
            } else {
                changes.append(.added(object))
            }
        }
        for (key, old) in previous.objects where current[key] == nil { changes.append(.deleted(old)) }
        let waiters = shared.withLock { shared in
            shared.counters.lists += 1
            shared.synced = true
            let waiters = shared.syncWaiters
            shared.syncWaiters.removeAll()
            return waiters
        }
        logger.debug("listed", metadata: ["count": "\(items.count)", "resourceVersion": "\(resourceVersion)"])
        publish(changes)
        for waiter in waiters { waiter.resume() }
    }

    /// Watches from `resourceVersion` until the server ends the watch, advancing it with every
    /// event and bookmark. Returns whether anything arrived.
    /// A watch that delivers anything proves the connection healthy again, so it resets `attempt`.
    private func watch(from resourceVersion: inout String?, resettingBackoff attempt: inout Int) async throws -> Bool {
        let timeout = Int.random(in: configuration.watchTimeoutSeconds)
        let options = WatchOptions(
            labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector,
            resourceVersion: resourceVersion, allowWatchBookmarks: true, timeoutSeconds: timeout)
        shared.withLock { $0.counters.watches += 1 }
        let started = ContinuousClock.now
        var delivered = false
        // Read as JSON first: a version the store holds already (our own write, assumed, coming
        // back) is not decoded into the model again.
        for try await update in client.watch(resource, as: JSONValue.self, namespace: configuration.namespace, options: options) {
            if !delivered {
                delivered = true
                attempt = 0
            }
            apply(update, to: &resourceVersion)
            setState(.watching(resourceVersion: resourceVersion ?? ""))
        }
        try Task.checkCancellation()
        return delivered || ContinuousClock.now - started > .seconds(1)
    }

    /// One watch event into the store; advances `resourceVersion`.
    private func apply(_ update: WatchUpdate<JSONValue>, to resourceVersion: inout String?) {
        let change: ObjectChange<Object>?
        switch update {
        case .added(let value), .modified(let value):
            let metadata = value["metadata"]
            if let name = metadata?["name"]?.stringValue, let version = metadata?["resourceVersion"]?.stringValue,
                case let key = Store<Object>.key(name: name, namespace: metadata?["namespace"]?.stringValue),
                store.holds(key, resourceVersion: version)
            {
                // A resourceVersion names one version of one object: this is what the store holds.
                store.delivered(key, resourceVersion: version)
                shared.withLock { $0.counters.held += 1 }
                change = nil
                resourceVersion = version
                break
            }
            switch decode(value) {
            case .object(let object):
                change = store.upsert(object)
                resourceVersion = object.metadata.resourceVersion ?? resourceVersion
            case .undecodable(let unreadable):
                // As a relist would: what cannot be read is not in the cache.
                skip(unreadable)
                change = store.remove(key: Store<Object>.key(name: unreadable.name, namespace: unreadable.namespace)).map { .deleted($0) }
                resourceVersion = unreadable.resourceVersion ?? resourceVersion
            }
        case .deleted(let value):
            switch decode(value) {
            case .object(let object):
                let old = store.remove(object)
                change = .deleted(old ?? object)
                resourceVersion = object.metadata.resourceVersion ?? resourceVersion
            case .undecodable(let unreadable):
                change = store.remove(key: Store<Object>.key(name: unreadable.name, namespace: unreadable.namespace)).map { .deleted($0) }
                resourceVersion = unreadable.resourceVersion ?? resourceVersion
            }
        case .bookmark(let version, _):
            change = nil
            if !version.isEmpty { resourceVersion = version }
        }
        if let change {
            shared.withLock { $0.counters.events += 1 }
            publish([change])
        }
    }

    /// The model of a watched object, or who it is and why it does not fit.
    private func decode(_ value: JSONValue) -> Decoded<Object> {
        do {
            return try JSONValueDecoder().decode(Decoded<Object>.self, from: value)
        } catch {
            let metadata = value["metadata"]
            return .undecodable(UndecodableObject(
                namespace: metadata?["namespace"]?.stringValue, name: metadata?["name"]?.stringValue ?? "",
                resourceVersion: metadata?["resourceVersion"]?.stringValue, reason: String(describing: error)))
        }
    }

    private func setState(_ state: State) { shared.withLock { $0.state = state } }

    private func publish(_ changes: [ObjectChange<Object>]) {
        guard !changes.isEmpty else { return }
        broadcaster.yield(changes)
    }
}
