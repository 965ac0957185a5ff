import Foundation
import KubeModels

/// The simulated cluster behind the API server: the Deployment and Job controllers and traffic (run on a
/// ticker over the store, their writes applied as real writes with new resourceVersions and
/// watch events), the fault injector consulted on every API request, and request statistics.
/// The pure simulators live in `Workloads/`; this type owns their state behind one lock.
final class ClusterSimulation: @unchecked Sendable {
    private let lock = NSLock()
    private var deploymentController: DeploymentSimulator
    private var jobController: JobSimulator
    private var traffic: TrafficSimulator
    private var faults: FaultInjector
    private var stats = RequestStats()
    private let store: ObjectStore
    let simulateWorkloads: Bool

    static let podsKey = "/pods"
    static let deploymentsKey = "apps/deployments"
    static let jobsKey = "batch/jobs"
    static let servicesKey = "/services"

    init(store: ObjectStore, seed: UInt64, simulateWorkloads: Bool) {
        self.store = store
        self.simulateWorkloads = simulateWorkloads
        deploymentController = DeploymentSimulator(seed: seed)
        jobController = JobSimulator(seed: seed)
        traffic = TrafficSimulator(seed: seed)
        faults = FaultInjector(seed: seed)
    }

    // MARK: Workloads

    /// One pass of the Deployment controller and the traffic, at `now`. Returns how many writes it made.
    @discardableResult
    func tick(now: Date = Date()) -> Int {
        guard simulateWorkloads else { return 0 }
        let (deployments, _) = store.list(Self.deploymentsKey, namespace: nil)
        let (pods, _) = store.list(Self.podsKey, namespace: nil)
        let writes = lock.withLock { deploymentController.reconcile(deployments: deployments, pods: pods, now: now) }
        for write in writes { apply(write, now: now) }
        let (jobs, _) = store.list(Self.jobsKey, namespace: nil)
        var jobWrites: [SimulatedWrite] = []
        if !jobs.isEmpty {
            let (current, _) = store.list(Self.podsKey, namespace: nil)
            jobWrites = lock.withLock { jobController.reconcile(jobs: jobs, pods: current, now: now) }
            for write in jobWrites { apply(write, now: now) }
        }
        advanceTraffic(to: now)
        return writes.count + jobWrites.count
    }

    private func advanceTraffic(to now: Date) {
        let (services, _) = store.list(Self.servicesKey, namespace: nil)
        let (pods, _) = store.list(Self.podsKey, namespace: nil)
        lock.withLock { traffic.advance(services: services, pods: pods, to: now) }
    }

    /// The Prometheus exposition of the simulated traffic, advanced to `now` first so a scrape
    /// sees every request up to the scrape.
    func metrics(now: Date = Date()) -> String {
        if simulateWorkloads { advanceTraffic(to: now) }
        return lock.withLock { traffic.exposition() }
    }

    /// Applies one simulator write to the store as the server's own write.
    private func apply(_ write: SimulatedWrite, now: Date) {
        switch write {
        case .createPod(let namespace, var object):
            guard let name = object[path: ["metadata", "name"]]?.stringValue else { return }
            object.set(path: ["metadata", "uid"], to: .string(UUID().uuidString.lowercased()))
            object.set(path: ["metadata", "creationTimestamp"], to: .string(Timestamp(now).description))
            object.set(path: ["metadata", "namespace"], to: .string(namespace))
            _ = try? store.mutate(Self.podsKey, namespace: namespace, name: name) { current in
                current == nil ? .put(object) : .keep
            }
        case .deletePod(let namespace, let name):
            _ = try? store.mutate(Self.podsKey, namespace: namespace, name: name) { current in
                current == nil ? .keep : .delete
            }
        case .updatePodStatus(let namespace, let name, let status):
            replaceStatus(Self.podsKey, namespace: namespace, name: name, status: status)
        case .updateDeploymentStatus(let namespace, let name, let status):
            replaceStatus(Self.deploymentsKey, namespace: namespace, name: name, status: status)
        case .updateJobStatus(let namespace, let name, let status):
            replaceStatus(Self.jobsKey, namespace: namespace, name: name, status: status)
        }
    }

    private func replaceStatus(_ storageKey: String, namespace: String, name: String, status: JSONValue) {
        _ = try? store.mutate(storageKey, namespace: namespace, name: name) { current in
            guard var object = current, object["status"] != status else { return .keep }
            object["status"] = status
            return .put(object)
        }
    }

    // MARK: Faults and statistics

    /// The fault decision for one API request.
    func decide(verb: String, resource: String, userAgent: String, isWatchResume: Bool, now: Date = Date()) -> FaultDecision {
        lock.withLock { faults.decide(verb: verb, resource: resource, userAgent: userAgent, now: now, isWatchResume: isWatchResume) }
    }

    /// Counts a request with the code actually sent.
    func record(verb: String, resource: String, code: Int) {
        lock.withLock { stats.record(verb: verb, resource: resource, code: code) }
    }

    /// Adds fault rules and one-off actions; drops open watches when asked.
    func applyFaults(_ request: FaultRequest, now: Date = Date()) throws(FaultRequestError) -> FaultInjector.Effects {
        let result = lock.withLock { () -> Result<FaultInjector.Effects, FaultRequestError> in
            do throws(FaultRequestError) {
                return .success(try faults.apply(request, now: now))
            } catch {
                return .failure(error)
            }
        }
        let effects = try result.get()
        if effects.dropWatches { store.dropAllWatches() }
        return effects
    }

    func clearFaults() { lock.withLock { faults.clear() } }
    func faultSnapshot(now: Date = Date()) -> JSONValue { lock.withLock { faults.snapshot(now: now) } }
    var statsJSON: JSONValue { lock.withLock { stats.json } }
    func resetStats() { lock.withLock { stats.reset() } }
}
