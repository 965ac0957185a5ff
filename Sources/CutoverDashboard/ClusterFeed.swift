import Cutover
import CutoverCLI
import KubeAPI
import KubeModels
import Synchronization

/// The Rollouts and ReleaseGroups a dashboard shows, kept current by list-and-watch with the
/// user's own credentials (never polling), so the user's RBAC decides what is in it. Pages wait
/// on ``wake()`` and read ``snapshot()``; what could not be read is in ``FeedSnapshot/notices``.
public final class ClusterFeed: Sendable {
    /// How often a waiting page is woken with nothing new, so the server finds closed pages and
    /// proxies do not drop the stream.
    static let heartbeat: Duration = .seconds(15)
    /// How long before a refused or failed watch is tried again (RBAC may change meanwhile).
    static let retryAfterRefusal: Duration = .seconds(30)

    let client: KubeClient
    let scope: DashboardScope
    private let state = Mutex(State())
    private let waiters = Mutex<[Int: AsyncStream<Void>.Continuation]>([:])
    private let nextWaiter = Atomic<Int>(0)

    struct State {
        /// By watch (`<namespace>` or `*`), the objects it holds by `namespace/name`.
        var rollouts: [String: [String: Rollout]] = [:]
        var groups: [String: [String: ReleaseGroup]] = [:]
        /// By watch and kind, what is wrong with it now.
        var problems: [String: String] = [:]
        /// The watches (keyed as `problems`) RBAC refused in a namespace found by listing: left
        /// out quietly; the refused Rollout watches are the namespaces left out.
        var refused: Set<String> = []
        /// Why the cluster-wide watch is not used, in all-namespaces mode.
        var fallback: String?
        var measurements = MeasurementLog()
        var version = 0
    }

    public init(client: KubeClient, scope: DashboardScope) {
        self.client = client
        self.scope = scope
    }

    /// What the feed holds now.
    public func snapshot() -> FeedSnapshot {
        state.withLock { state in
            var notices = state.problems.sorted { $0.key < $1.key }.map(\.value)
            if let fallback = state.fallback {
                let left = state.refused.filter { $0.hasSuffix(" \(Rollout.resource.plural)") }.count
                notices.insert(
                    "Showing the namespaces you may read: \(fallback)" + (left > 0 ? "; \(left) namespace\(left == 1 ? "" : "s") left out" : ""), at: 0)
            }
            return FeedSnapshot(
                version: state.version, rollouts: state.rollouts.values.flatMap(\.values), groups: state.groups.values.flatMap(\.values),
                notices: notices, measurements: state.measurements)
        }
    }

    /// A stream that yields at once, then whenever the feed changed or a heartbeat is due; ends
    /// when the caller stops iterating (the page closed).
    public func wake() -> AsyncStream<Void> {
        let id = nextWaiter.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        continuation.onTermination = { [weak self] _ in _ = self?.waiters.withLock { $0.removeValue(forKey: id) } }
        waiters.withLock { $0[id] = continuation }
        continuation.yield()
        return stream
    }

    /// Follows the scope until cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.beat() }
            switch scope {
            case .namespaces(let names):
                for name in names { group.addTask { await self.follow(namespace: name, named: true) } }
            case .allNamespaces:
                group.addTask { await self.followAll() }
            }
            await group.next()
            group.cancelAll()
        }
    }

    // MARK: - Watches

    /// Rollouts and ReleaseGroups of one namespace (`nil`: all). With `named`, RBAC refusals are
    /// shown with the API's answer; otherwise (a namespace found by listing) the namespace is
    /// left out quietly and only counted.
    private func follow(namespace: String?, named: Bool) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await self.keep(Rollout.self, namespace: namespace, named: named, \.rollouts) { state, old, new in
                    state.measurements.record(new, replacing: old)
                }
            }
            group.addTask { await self.keep(ReleaseGroup.self, namespace: namespace, named: named, \.groups) { _, _, _ in } }
        }
        changed { state in
            let key = namespace ?? "*"
            state.rollouts[key] = nil
            state.groups[key] = nil
            state.refused = state.refused.filter { !$0.hasPrefix("\(key) ") }
            state.problems = state.problems.filter { !$0.key.hasPrefix("\(key) ") }
        }
    }

    /// One kind in one namespace: list-and-watch, and on every change store the objects and let
    /// `merged` see the old and new ones. Retries after errors until cancelled.
    private func keep<Object: KubeObject>(
        _ type: Object.Type, namespace: String?, named: Bool, _ store: WritableKeyPath<State, [String: [String: Object]]> & Sendable,
        merged: @escaping @Sendable (inout State, [String: Object], [String: Object]) -> Void
    ) async {
        let key = namespace ?? "*"
        let problem = "\(key) \(Object.resource.plural)"
        let place = namespace.map { "namespace \($0)" } ?? "all namespaces"
        while !Task.isCancelled {
            do {
                try await ObjectFollower<Object>(client: client, namespace: namespace).run(failed: { error in
                    self.changed { $0.problems[problem] = "\(Object.resource.plural) in \(place): \(CLIError.message(for: error)); retrying" }
                }) { objects in
                    self.changed { state in
                        merged(&state, state[keyPath: store][key] ?? [:], objects)
                        state[keyPath: store][key] = objects
                        state.problems[problem] = nil
                        state.refused.remove(problem)
                    }
                }
            } catch is CancellationError {
                return
            } catch let error as KubeError where error.isForbidden && !named {
                changed { state in
                    state[keyPath: store][key] = nil
                    state.refused.insert(problem)
                }
            } catch {
                changed { state in
                    state[keyPath: store][key] = nil
                    state.problems[problem] = "\(Object.resource.plural) in \(place): \(CLIError.message(for: error)); trying again every \(Self.retryAfterRefusal)"
                }
            }
            try? await Task.sleep(for: Self.retryAfterRefusal)
        }
    }

    /// All namespaces: one cluster-wide watch when RBAC allows it; otherwise one watch per
    /// namespace the user may list.
    private func followAll() async {
        while !Task.isCancelled {
            do {
                _ = try await client.listPage(Rollout.resource, as: Rollout.self, namespace: nil, options: ListOptions(limit: 1))
                await follow(namespace: nil, named: true)
                return
            } catch let error as KubeError where error.isForbidden {
                changed { $0.fallback = "listing Rollouts in all namespaces is refused (\(CLIError.message(for: error)))" }
                await followEachNamespace()
                return
            } catch is CancellationError {
                return
            } catch {
                changed { $0.problems["* rollouts"] = "rollouts in all namespaces: \(CLIError.message(for: error)); retrying" }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// One watch per namespace, started and stopped as namespaces come and go.
    private func followEachNamespace() async {
        let running = Mutex<[String: Task<Void, Never>]>([:])
        await withTaskCancellationHandler {
            while !Task.isCancelled {
                do {
                    try await ObjectFollower<Namespace>(client: client).run { namespaces in
                        let names = Set(namespaces.values.compactMap(\.metadata.name))
                        running.withLock { tasks in
                            for (name, task) in tasks where !names.contains(name) {
                                task.cancel()
                                tasks[name] = nil
                            }
                            for name in names where tasks[name] == nil {
                                tasks[name] = Task { await self.follow(namespace: name, named: false) }
                            }
                        }
                        self.changed { $0.problems["* namespaces"] = nil }
                    }
                } catch is CancellationError {
                    break
                } catch {
                    changed { state in
                        state.problems["* namespaces"] = "cannot list namespaces either (\(CLIError.message(for: error))): name the namespaces to show with -n a,b"
                    }
                    try? await Task.sleep(for: Self.retryAfterRefusal)
                }
            }
        } onCancel: {
            running.withLock { tasks in tasks.values.forEach { $0.cancel() } }
        }
    }

    // MARK: - Waking pages

    private func changed(_ change: (inout State) -> Void) {
        state.withLock { state in
            change(&state)
            state.version += 1
        }
        wakeAll()
    }

    private func wakeAll() {
        for continuation in waiters.withLock({ Array($0.values) }) { continuation.yield() }
    }

    private func beat() async {
        while (try? await Task.sleep(for: Self.heartbeat)) != nil { wakeAll() }
    }
}

/// The feed's contents at one moment.
public struct FeedSnapshot: Sendable {
    /// Grows with every change: a page sends again only when it moved.
    public var version: Int
    public var rollouts: [Rollout]
    public var groups: [ReleaseGroup]
    /// What could not be read, and why, for the page's notice bar.
    public var notices: [String]
    /// The measurements seen since the dashboard started, beyond the ten a status keeps.
    public var measurements: MeasurementLog

    public init(version: Int = 0, rollouts: [Rollout], groups: [ReleaseGroup], notices: [String] = [], measurements: MeasurementLog = MeasurementLog()) {
        self.version = version
        self.rollouts = rollouts
        self.groups = groups
        self.notices = notices
        self.measurements = measurements
    }

    /// The Rollout `namespace/name`, if the feed holds it.
    public func rollout(_ key: String) -> Rollout? { rollouts.first { $0.metadata.key == key } }
}
