#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeAPI
import KubeModels
import Logging
import OrderedCollections

/// Records core/v1 Events on objects, as `kubectl describe` shows them.
///
/// The same (object, type, reason, message) seen again within ``aggregationWindow`` bumps
/// `count` and `lastTimestamp` of the Event already written (a merge PATCH) instead of creating
/// another, so a decision repeated every reconcile does not flood the namespace. Recording never
/// throws: a failed write is logged and dropped. Writes are serialized, so concurrent
/// recordings of one event cannot both create it.
public actor EventRecorder {
    /// `Normal` or `Warning`.
    public enum EventType: String, Sendable {
        case normal = "Normal"
        case warning = "Warning"
    }

    private struct AggregationKey: Hashable {
        var kind: String
        var namespace: String
        var name: String
        var uid: String
        var type: String
        var reason: String
        var message: String
    }

    private struct Recorded {
        var name: String
        var namespace: String
        var count: Int32
        var firstTimestamp: Timestamp
        var lastSeen: ContinuousClock.Instant
    }

    /// `source.component` and `reportingComponent`, e.g. `cutover-controller`.
    public let component: String
    /// `reportingInstance` and `source.host`, e.g. the pod name.
    public let instance: String?
    /// How long after an event a repeat still aggregates into it.
    public let aggregationWindow: Duration
    /// How many distinct recent events are remembered for aggregation.
    public let cacheCapacity: Int
    private let client: KubeClient
    private let logger: Logger
    private var recent = OrderedDictionary<AggregationKey, Recorded>()
    private var writing = false
    private var writeWaiters: [CheckedContinuation<Void, Never>] = []

    public init(
        client: KubeClient, component: String, instance: String? = nil, aggregationWindow: Duration = .seconds(600),
        cacheCapacity: Int = 4096, logger: Logger = Logger(label: "cutover.events")
    ) {
        self.client = client
        self.component = component
        self.instance = instance
        self.aggregationWindow = aggregationWindow
        self.cacheCapacity = max(cacheCapacity, 1)
        self.logger = logger
    }

    /// Records an event on `object`. Returns once the Event is written (or the write failed and
    /// was logged).
    public func record<T: KubeObject>(
        on object: T, type: EventType = .normal, reason: String, message: String, action: String? = nil
    ) async {
        let reference = ObjectReference(
            apiVersion: object.apiVersion ?? T.resource.apiVersion, kind: object.kind ?? T.resource.kind,
            namespace: object.metadata.namespace, name: object.metadata.name, uid: object.metadata.uid,
            resourceVersion: object.metadata.resourceVersion)
        await record(regarding: reference, type: type, reason: reason, message: message, action: action)
    }

    /// Records an event on the object `reference` names.
    public func record(
        regarding reference: ObjectReference, type: EventType = .normal, reason: String, message: String,
        action: String? = nil
    ) async {
        await lockWrites()
        defer { unlockWrites() }
        let key = AggregationKey(
            kind: reference.kind ?? "", namespace: reference.namespace ?? "", name: reference.name ?? "",
            uid: reference.uid ?? "", type: type.rawValue, reason: reason, message: message)
        let now = Date()
        if var seen = recent[key], ContinuousClock.now - seen.lastSeen < aggregationWindow {
            seen.count += 1
            seen.lastSeen = .now
            let patch: JSONValue = ["count": .int(Int64(seen.count)), "lastTimestamp": .string(Timestamp(now).description)]
            do {
                _ = try await client.patch(Event.self, name: seen.name, namespace: seen.namespace, patch: .merge(patch))
                touch(key, seen)
                return
            } catch let error as KubeError where error.isNotFound {
                // The Event expired on the server (its TTL): start a new one below.
                recent[key] = nil
            } catch {
                logger.warning("could not update event", metadata: ["event": "\(seen.name)", "reason": "\(reason)", "error": "\(error)"])
                return
            }
        }
        await create(key: key, reference: reference, type: type, reason: reason, message: message, action: action, now: now)
    }

    private func create(
        key: AggregationKey, reference: ObjectReference, type: EventType, reason: String, message: String,
        action: String?, now: Date
    ) async {
        let namespace = (reference.namespace?.isEmpty == false ? reference.namespace : nil) ?? "default"
        // client-go's naming: the object's name and the time in nanoseconds, in hex.
        let nanos = UInt64(max(now.timeIntervalSince1970, 0) * 1e9)
        let name = "\(reference.name ?? "object").\(String(nanos, radix: 16))"
        var event = Event(
            metadata: ObjectMeta(name: name, namespace: namespace), involvedObject: reference, reason: reason,
            message: message, type: type.rawValue, source: EventSource(component: component, host: instance),
            firstTimestamp: Timestamp(now), lastTimestamp: Timestamp(now), count: 1)
        event.reportingComponent = component
        event.reportingInstance = instance
        event.action = action
        // The name is fixed, so the client retries a create that failed on the server's side, as
        // client-go's recorder does; an AlreadyExists means an earlier attempt landed.
        let written: String
        do {
            written = try await client.create(event, retryingByName: true).metadata.name ?? name
        } catch let error as KubeError where error.isAlreadyExists {
            written = name
        } catch {
            logger.warning("could not record event", metadata: ["object": "\(key.namespace)/\(key.name)", "reason": "\(reason)", "error": "\(error)"])
            return
        }
        touch(key, Recorded(name: written, namespace: namespace, count: 1, firstTimestamp: Timestamp(now), lastSeen: .now))
    }

    /// Remembers `recorded` as the most recent use of `key`, evicting the least recent past capacity.
    private func touch(_ key: AggregationKey, _ recorded: Recorded) {
        recent.removeValue(forKey: key)
        recent[key] = recorded
        while recent.count > cacheCapacity { recent.removeFirst() }
    }

    /// How many distinct events are remembered for aggregation.
    public var cachedCount: Int { recent.count }

    private func lockWrites() async {
        while writing { await withCheckedContinuation { writeWaiters.append($0) } }
        writing = true
    }

    private func unlockWrites() {
        writing = false
        if !writeWaiters.isEmpty { writeWaiters.removeFirst().resume() }
    }
}
