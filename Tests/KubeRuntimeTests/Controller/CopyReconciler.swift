import KubeAPI
import KubeModels
import KubeRuntime
import Logging
import Synchronization

/// A toy reconciler, and what a new kind costs: every ConfigMap labelled `toy/role=source` gets a
/// copy `<name>-copy` of its data, controlled by it. The source's data steers the reconcile for
/// the tests: `fail-times` fails that many reconciles first, `terminal` throws a ``TerminalError``,
/// `requeue-ms` asks to look again, `block` waits for ``Gate/open()`` before writing.
struct CopyReconciler: Reconciler {
    let client: KubeClient
    let sources: ObjectCache<ConfigMap>
    let copies: ObjectCache<ConfigMap>
    let log: ReconcileLog

    init(client: KubeClient, log: ReconcileLog) {
        self.client = client
        self.log = log
        sources = ObjectCache(client: client, labelSelector: "toy/role=source", logger: Logger(label: "toy"))
        copies = ObjectCache(client: client, labelSelector: "toy/role=copy", logger: Logger(label: "toy"))
    }

    var triggers: [Trigger<ObjectKey>] { [.primary(sources), .owned(copies, byKind: "ConfigMap")] }

    func reconcile(_ key: ObjectKey) async throws -> Duration? {
        let attempt = log.started(key)
        defer { log.finished(key, cancelled: Task.isCancelled) }
        guard let source = sources.get(key) else { return nil }
        let data = source.data ?? [:]
        if let times = data["fail-times"].flatMap(Int.init), attempt <= times { throw ToyFailure.transient(attempt) }
        if data["terminal"] != nil { throw TerminalError(ToyFailure.refused) }
        if data["block"] != nil { await log.gate.wait() }
        var wanted = data.filter { !["fail-times", "terminal", "requeue-ms", "block"].contains($0.key) }
        wanted["copied-from"] = key.name
        let name = "\(key.name)-copy"
        if var copy = copies.get(name: name, namespace: key.namespace) {
            if copy.data != wanted {
                copy.data = wanted
                _ = try await client.replace(copy)
            }
        } else {
            var meta = ObjectMeta(name: name, namespace: key.namespace, labels: ["toy/role": "copy"])
            meta.ownerReferences = [
                OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: key.name, uid: source.metadata.uid ?? "", controller: true)
            ]
            _ = try await client.create(ConfigMap(metadata: meta, data: wanted))
        }
        return data["requeue-ms"].flatMap(Int64.init).map { .milliseconds($0) }
    }
}

enum ToyFailure: Error {
    case transient(Int)
    case refused
}

/// Every reconcile the toy saw, per key, with the instant each started.
final class ReconcileLog: Sendable {
    struct Entry: Sendable {
        var key: ObjectKey
        var at: ContinuousClock.Instant
    }

    private let state = Mutex<(started: [Entry], finished: [ObjectKey], cancelled: Int, events: [String])>(([], [], 0, []))
    let gate = Gate()

    /// Records a start; returns which attempt at `key` this is (1 for the first).
    func started(_ key: ObjectKey) -> Int {
        state.withLock { state in
            state.started.append(Entry(key: key, at: .now))
            state.events.append("started \(key.name)")
            return state.started.filter { $0.key == key }.count
        }
    }

    func finished(_ key: ObjectKey, cancelled: Bool) {
        state.withLock { state in
            state.finished.append(key)
            state.events.append("finished \(key.name)")
            if cancelled { state.cancelled += 1 }
        }
    }

    func note(_ event: String) { state.withLock { $0.events.append(event) } }

    func starts(of key: ObjectKey) -> [ContinuousClock.Instant] { state.withLock { $0.started.filter { $0.key == key }.map(\.at) } }
    func finishes(of key: ObjectKey) -> Int { state.withLock { $0.finished.filter { $0 == key }.count } }
    var cancelledReconciles: Int { state.withLock { $0.cancelled } }
    var events: [String] { state.withLock { $0.events } }
}

/// Holds reconciles that wait on it until opened.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>], waiting: Int)>((false, [], 0))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resume = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                state.waiting += 1
                return false
            }
            if resume { continuation.resume() }
        }
    }

    /// How many are waiting now.
    var waiting: Int { state.withLock { $0.waiters.count } }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
