import Cutover
import Foundation
import KubeAPI
import KubeModels

/// Watches one namespace's Rollouts, ReleaseGroups, Deployments, Services and pods for the whole
/// test and keeps every change. Waits read the newest objects; ``model()`` replays all changes in resourceVersion
/// order into a ``ClusterModel``, which checks the invariants after each of them.
package final class ClusterMonitor: Sendable {
    package let namespace: String
    private let client: KubeClient
    private let changes = LockedValue<[ObservedChange]>([])
    /// The newest version of each Rollout, ReleaseGroup and Service, by ``latestKey(_:_:)``.
    private let latest = LockedValue<[String: WatchedObject]>([:])
    private let listed = LockedValue<Set<String>>([])
    private let failures = LockedValue<[String]>([])
    private let task = LockedValue<Task<Void, Never>?>(nil)

    package init(client: KubeClient, namespace: String) {
        self.client = client
        self.namespace = namespace
    }

    /// Starts the watches and returns once each has listed, so no later change is missed.
    package func start() async throws {
        let watching = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.follow(Rollout.self, "rollouts") { .rollout($0) } }
                group.addTask { await self.follow(ReleaseGroup.self, "releasegroups") { .releaseGroup($0) } }
                group.addTask { await self.follow(Deployment.self, "deployments") { .deployment($0) } }
                group.addTask { await self.follow(Service.self, "services") { .service($0) } }
                group.addTask { await self.follow(Pod.self, "pods") { .pod($0) } }
            }
        }
        task.set(watching)
        _ = try await eventually("the monitor's watches to start", timeout: .seconds(30)) {
            let done = listed.get
            return (done.count == 5 ? true : nil, "listed \(done.sorted()); errors \(failures.get.suffix(3))")
        }
    }

    /// Stops the watches.
    package func stop() async {
        guard let watching = task.update({ current in
            let running = current
            current = nil
            return running
        }) else { return }
        watching.cancel()
        await watching.value
    }

    /// Every change so far, replayed in the order the server made them.
    package func model() -> ClusterModel { ClusterModel.replay(changes.get) }

    /// The newest version of a Rollout the watch delivered.
    package func rollout(_ name: String) -> Rollout? {
        guard case .rollout(let rollout) = latest.get[Self.latestKey("rollout", name)] else { return nil }
        return rollout
    }

    /// The newest version of every Rollout the watch delivered.
    package var rollouts: [Rollout] {
        latest.get.values.compactMap { object in
            guard case .rollout(let rollout) = object else { return nil }
            return rollout
        }
    }

    /// The newest version of every ReleaseGroup the watch delivered.
    package var groups: [ReleaseGroup] {
        latest.get.values.compactMap { object in
            guard case .releaseGroup(let group) = object else { return nil }
            return group
        }
    }

    /// The newest version of a Service the watch delivered.
    package func service(_ name: String) -> Service? {
        guard case .service(let service) = latest.get[Self.latestKey("service", name)] else { return nil }
        return service
    }

    /// The newest version of a ReleaseGroup the watch delivered.
    package func group(_ name: String) -> ReleaseGroup? {
        guard case .releaseGroup(let group) = latest.get[Self.latestKey("releasegroup", name)] else { return nil }
        return group
    }

    /// Waits until the Rollout (as the watch delivers it) satisfies `condition`; returns it.
    @discardableResult
    func waitForRollout(
        _ name: String, _ what: String, timeout: Duration = .seconds(60), until condition: (Rollout) -> Bool
    ) async throws -> Rollout {
        try await eventually("\(name): \(what)", timeout: timeout) {
            guard let rollout = rollout(name) else { return (nil, "no Rollout \(name) yet") }
            let status = rollout.status
            let seen = "\(RolloutState(status)); message \(status?.message ?? "-"); generation \(rollout.metadata.generation ?? 0)"
                + " observed \(status?.observedGeneration ?? 0)"
            return (condition(rollout) ? rollout : nil, seen)
        }
    }

    /// Waits until the ReleaseGroup (as the watch delivers it) satisfies `condition`; returns it.
    @discardableResult
    func waitForGroup(
        _ name: String, _ what: String, timeout: Duration = .seconds(60), until condition: (ReleaseGroup) -> Bool
    ) async throws -> ReleaseGroup {
        try await eventually("group \(name): \(what)", timeout: timeout) {
            guard let group = group(name) else { return (nil, "no ReleaseGroup \(name) yet") }
            let status = group.status
            let release = status?.release
            let seen = "\(status?.phase?.rawValue ?? "-") barrier \(release?.barrier?.rawValue ?? "-") step \(release?.step.map(String.init) ?? "-")"
                + " ready \(status?.ready ?? "-"); message \(status?.message ?? "-")"
            return (condition(group) ? group : nil, seen)
        }
    }

    /// Waits until the watch has delivered every Service in `revisions` selecting the revision
    /// given for it (so a model taken afterwards has seen those changes).
    func waitForSelectors(_ revisions: [String: String], timeout: Duration = .seconds(60)) async throws {
        _ = try await eventually("the watch to show \(revisions.count) Services' selectors", timeout: timeout) {
            let latest = latest.get
            let behind = revisions.filter { service, revision in
                guard case .service(let object) = latest[Self.latestKey("service", service)] else { return true }
                return object.spec?.selector?[CutoverLabels.revision] != revision
            }
            return (behind.isEmpty ? true : nil, "not yet: \(behind.keys.sorted())")
        }
    }

    /// Waits for `phase` on a status computed from the current spec.
    @discardableResult
    func waitForPhase(_ name: String, _ phase: RolloutPhase, timeout: Duration = .seconds(60)) async throws -> Rollout {
        try await waitForRollout(name, "phase \(phase.rawValue)", timeout: timeout) {
            $0.status?.phase == phase && $0.status?.observedGeneration == $0.metadata.generation
        }
    }

    private func follow<T: KubeObject>(_ type: T.Type, _ kind: String, wrap: @escaping @Sendable (T) -> WatchedObject) async {
        var resourceVersion: String?
        while !Task.isCancelled {
            do {
                if resourceVersion == nil {
                    let list = try await client.list(T.self, namespace: namespace)
                    for item in list.items { record(wrap(item), deleted: false) }
                    resourceVersion = list.metadata.resourceVersion ?? "0"
                    listed.update { _ = $0.insert(kind) }
                }
                let options = WatchOptions(resourceVersion: resourceVersion, timeoutSeconds: 60)
                for try await update in client.watch(T.self, namespace: namespace, options: options) {
                    switch update {
                    case .added(let object), .modified(let object):
                        resourceVersion = object.metadata.resourceVersion ?? resourceVersion
                        record(wrap(object), deleted: false)
                    case .deleted(let object):
                        resourceVersion = object.metadata.resourceVersion ?? resourceVersion
                        record(wrap(object), deleted: true)
                    case .bookmark(let version, _):
                        resourceVersion = version
                    }
                }
            } catch {
                if Task.isCancelled { return }
                failures.update { $0.append("\(kind): \(error)") }
                if case KubeError.expired = error {
                    // Never expected (KubeSim keeps 10,000 changes): a relist could hide a change.
                    failures.update { $0.append("\(kind): watch expired; relisting may have hidden changes") }
                    resourceVersion = nil
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    private func record(_ object: WatchedObject, deleted: Bool) {
        let version = UInt64(object.metadata.resourceVersion ?? "") ?? 0
        changes.update { $0.append(ObservedChange(object: object, deleted: deleted, resourceVersion: version, arrivedAt: Date())) }
        let kind: String
        switch object {
        case .rollout: kind = "rollout"
        case .releaseGroup: kind = "releasegroup"
        case .service: kind = "service"
        case .deployment, .pod: return
        }
        let key = Self.latestKey(kind, object.metadata.name ?? "")
        latest.update { latest in
            // A watch never goes back in time, but a relist might replay an older object.
            let known = UInt64(latest[key]?.metadata.resourceVersion ?? "") ?? 0
            if deleted { latest[key] = nil } else if version >= known { latest[key] = object }
        }
    }

    private static func latestKey(_ kind: String, _ name: String) -> String { "\(kind)/\(name)" }

    /// Watch errors seen (reconnects are normal; an expired watch is reported by the harness).
    package var watchErrors: [String] { failures.get }
}
