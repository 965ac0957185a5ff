import KubeAPI
import KubeModels
import Synchronization

/// Keeps the current set of objects of one kind up to date through a list and then a watch (never
/// polling): re-watches from the last resourceVersion when the server ends a watch, lists again
/// after a 410, and retries after a second on connection errors. Runs until cancelled.
package struct ObjectFollower<Object: KubeObject> {
    package var client: KubeClient
    package var namespace: String?
    package var labelSelector: String?
    package var fieldSelector: String?

    package init(client: KubeClient, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil) {
        self.client = client
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
    }

    /// Calls `changed` with every object by `namespace/name` after the first list and after each
    /// change, and `failed` with each connection error it retries after (a list given up on after
    /// 30 of them, or any other error, is thrown).
    package func run(
        failed: @Sendable (KubeError) async -> Void = { _ in }, _ changed: @Sendable ([String: Object]) async throws -> Void
    ) async throws {
        var objects: [String: Object] = [:]
        var failures = 0
        while !Task.isCancelled {
            let version: String
            do {
                let list = try await client.list(
                    Object.self, namespace: namespace, options: ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector))
                objects = Dictionary(list.items.map { ($0.metadata.key, $0) }, uniquingKeysWith: { _, last in last })
                version = list.metadata.resourceVersion ?? "0"
                failures = 0
            } catch let error as KubeError where Self.isTransient(error) {
                failures += 1
                if failures > 30 { throw error }
                await failed(error)
                try await Task.sleep(for: .seconds(1))
                continue
            }
            try await changed(objects)
            var resourceVersion = version
            watching: while !Task.isCancelled {
                let options = WatchOptions(
                    labelSelector: labelSelector, fieldSelector: fieldSelector, resourceVersion: resourceVersion,
                    allowWatchBookmarks: true, timeoutSeconds: 300)
                do {
                    for try await update in client.watch(Object.self, namespace: namespace, options: options) {
                        switch update {
                        case .added(let object), .modified(let object):
                            objects[object.metadata.key] = object
                            resourceVersion = object.metadata.resourceVersion ?? resourceVersion
                        case .deleted(let object):
                            objects[object.metadata.key] = nil
                            resourceVersion = object.metadata.resourceVersion ?? resourceVersion
                        case .bookmark(let version, _):
                            resourceVersion = version
                            continue
                        }
                        try await changed(objects)
                    }
                } catch let error as KubeError where error.isExpired {
                    break watching
                } catch let error as KubeError where Self.isTransient(error) {
                    await failed(error)
                    try await Task.sleep(for: .seconds(1))
                }
            }
        }
        throw CancellationError()
    }

    static func isTransient(_ error: KubeError) -> Bool {
        switch error {
        case .transport, .serverError, .tooManyRequests: return true
        default: return false
        }
    }
}

/// The newest value one task saw, for others to read.
final class Latest<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    var get: Value { value.withLock { $0 } }
    func set(_ newValue: Value) { value.withLock { $0 = newValue } }
    /// Changes the value in one step (no update from another task is lost) and returns the result.
    @discardableResult
    func update(_ change: (inout Value) -> Void) -> Value {
        value.withLock { current in
            change(&current)
            return current
        }
    }
}
