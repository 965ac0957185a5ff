import AsyncHTTPClient
import Foundation
import KubeModels
import NIOCore
import NIOHTTP1

extension KubeClient {
    /// The namespace a request for `resource` goes to: none for cluster-scoped kinds, else the given
    /// one or the context's.
    func namespace(for resource: Resource, _ namespace: String?) -> String? {
        resource.namespaced ? (namespace ?? config.namespace) : nil
    }

    // MARK: Dynamic verbs (any resource, any Decodable)

    /// GET one object (or one subresource of it, such as `scale`).
    public func get<T: Decodable>(
        _ resource: Resource, as type: T.Type, name: String, namespace: String? = nil, subresource: String? = nil
    ) async throws -> T {
        let path = resource.path(namespace: self.namespace(for: resource, namespace), name: name, subresource: subresource)
        let response = try await perform(.GET, path: path, verb: "GET", idempotent: true)
        return try Self.decode(T.self, from: response.body, what: "\(resource) \"\(name)\"")
    }

    /// A pod's log (`pods/NAME/log`) as text: its last `tailLines` lines, of `container` when
    /// the pod has several.
    public func podLog(name: String, namespace: String? = nil, container: String? = nil, tailLines: Int? = nil) async throws -> String {
        let path = Resource.pods.path(namespace: self.namespace(for: .pods, namespace), name: name, subresource: "log")
        var query: [(String, String)] = []
        if let container { query.append(("container", container)) }
        if let tailLines { query.append(("tailLines", String(tailLines))) }
        let response = try await perform(.GET, path: path, query: query, verb: "GET", idempotent: true)
        return String(decoding: response.body.readableBytesView, as: UTF8.self)
    }

    /// One page of a list. `namespace` nil lists a namespaced kind across all namespaces.
    public func listPage<T: Decodable & Sendable>(
        _ resource: Resource, as type: T.Type, namespace: String?, options: ListOptions = ListOptions(),
        continue token: String? = nil
    ) async throws -> ObjectList<T> {
        var query = options.query
        if let token {
            query.removeAll { $0.0 == "resourceVersion" || $0.0 == "resourceVersionMatch" }
            query.append(("continue", token))
        }
        let path = resource.path(namespace: resource.namespaced ? namespace : nil)
        let response = try await perform(.GET, path: path, query: query, verb: "LIST", idempotent: true)
        return try Self.decode(ObjectList<T>.self, from: response.body, what: "\(resource) list")
    }

    /// Every item, following `continue` tokens to the end. The result carries the first page's
    /// resourceVersion, from which a watch can start. If a token expires mid-way (410), the list
    /// starts again once without paging, as client-go does.
    public func list<T: Decodable & Sendable>(
        _ resource: Resource, as type: T.Type, namespace: String?, options: ListOptions = ListOptions()
    ) async throws -> ObjectList<T> {
        var first = try await listPage(resource, as: T.self, namespace: namespace, options: options)
        var token = first.metadata.continue
        while let next = token, !next.isEmpty {
            let page: ObjectList<T>
            do {
                page = try await listPage(resource, as: T.self, namespace: namespace, options: options, continue: next)
            } catch KubeError.expired {
                var unpaged = options
                unpaged.limit = nil
                return try await listPage(resource, as: T.self, namespace: namespace, options: unpaged)
            }
            first.items += page.items
            token = page.metadata.continue
        }
        first.metadata.continue = nil
        first.metadata.remainingItemCount = nil
        return first
    }

    /// POST a new object. Never retried without the server's `Retry-After`: a create is not idempotent.
    ///
    /// `retryingByName`: the object has a fixed name, so the create is retried like an idempotent
    /// request (a repeat of one that landed is AlreadyExists, which the caller takes as success).
    public func create<T: Codable & Sendable>(
        _ resource: Resource, _ object: T, namespace: String?, fieldManager: String? = nil, dryRun: Bool = false,
        retryingByName: Bool = false
    ) async throws -> T {
        var query: [(String, String)] = []
        if let fieldManager { query.append(("fieldManager", fieldManager)) }
        if dryRun { query.append(("dryRun", "All")) }
        let path = resource.path(namespace: self.namespace(for: resource, namespace))
        let response = try await perform(
            .POST, path: path, query: query, body: try Self.encode(object), verb: "POST", idempotent: retryingByName)
        return try Self.decode(T.self, from: response.body, what: "created \(resource)")
    }

    /// PUT the whole object (or its `status`/`scale` subresource). With a resourceVersion the server
    /// refuses a stale write with 409, which makes the request safe to retry.
    public func replace<T: Codable & Sendable>(
        _ resource: Resource, _ object: T, name: String, namespace: String?, subresource: String? = nil,
        resourceVersion: String?, fieldManager: String? = nil
    ) async throws -> T {
        var query: [(String, String)] = []
        if let fieldManager { query.append(("fieldManager", fieldManager)) }
        let path = resource.path(namespace: self.namespace(for: resource, namespace), name: name, subresource: subresource)
        let response = try await perform(
            .PUT, path: path, query: query, body: try Self.encode(object), verb: "PUT",
            idempotent: resourceVersion != nil)
        return try Self.decode(T.self, from: response.body, what: "\(resource) \"\(name)\"")
    }

    /// PATCH an object or a subresource. Server-side apply needs a `fieldManager`.
    public func patch<T: Decodable>(
        _ resource: Resource, as type: T.Type, name: String, namespace: String?, patch: Patch,
        subresource: String? = nil, fieldManager: String? = nil
    ) async throws -> T {
        var query: [(String, String)] = []
        let body: [UInt8]
        switch patch {
        case .merge(let value), .strategic(let value):
            body = try Self.encode(value)
        case .json(let operations):
            body = try Self.encode(operations)
        case .apply(let value, let force):
            body = try Self.encode(value)
            query.append(("fieldManager", fieldManager ?? "cutover"))
            if force { query.append(("force", "true")) }
        }
        if case .apply = patch {} else if let fieldManager { query.append(("fieldManager", fieldManager)) }
        let path = resource.path(namespace: self.namespace(for: resource, namespace), name: name, subresource: subresource)
        let response = try await perform(
            .PATCH, path: path, query: query, body: body, contentType: patch.contentType, verb: "PATCH",
            idempotent: patch.isIdempotent)
        return try Self.decode(T.self, from: response.body, what: "\(resource) \"\(name)\"")
    }

    /// DELETE an object. Returns once the server accepted it; with finalizers the object may
    /// linger with a deletionTimestamp until they are removed.
    public func delete(
        _ resource: Resource, name: String, namespace: String?, options: DeleteOptions = DeleteOptions()
    ) async throws {
        let path = resource.path(namespace: self.namespace(for: resource, namespace), name: name)
        _ = try await perform(.DELETE, path: path, body: try Self.encode(options), verb: "DELETE", idempotent: true)
    }

    // MARK: Typed verbs (KubeObject knows its resource)

    public func get<T: KubeObject>(_ type: T.Type, name: String, namespace: String? = nil) async throws -> T {
        try await get(T.resource, as: T.self, name: name, namespace: namespace)
    }

    public func list<T: KubeObject>(
        _ type: T.Type, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws -> ObjectList<T> {
        try await list(T.resource, as: T.self, namespace: namespace, options: options)
    }

    /// Creates `object` in its `metadata.namespace` (or the context's namespace); see
    /// ``create(_:_:namespace:fieldManager:dryRun:retryingByName:)`` for `retryingByName`.
    public func create<T: KubeObject>(_ object: T, fieldManager: String? = nil, retryingByName: Bool = false) async throws -> T {
        var object = object
        object.setTypeMeta()
        return try await create(
            T.resource, object, namespace: object.metadata.namespace, fieldManager: fieldManager, retryingByName: retryingByName)
    }

    /// Replaces `object`, with its own resourceVersion as the precondition.
    public func replace<T: KubeObject>(_ object: T, fieldManager: String? = nil) async throws -> T {
        var object = object
        object.setTypeMeta()
        return try await replace(
            T.resource, object, name: object.metadata.name ?? "", namespace: object.metadata.namespace,
            resourceVersion: object.metadata.resourceVersion, fieldManager: fieldManager)
    }

    /// Replaces only `status` (the status subresource), with the object's resourceVersion as precondition.
    public func replaceStatus<T: KubeObject>(_ object: T, fieldManager: String? = nil) async throws -> T {
        var object = object
        object.setTypeMeta()
        return try await replace(
            T.resource, object, name: object.metadata.name ?? "", namespace: object.metadata.namespace,
            subresource: "status", resourceVersion: object.metadata.resourceVersion, fieldManager: fieldManager)
    }

    public func patch<T: KubeObject>(
        _ type: T.Type, name: String, namespace: String? = nil, patch: Patch, subresource: String? = nil,
        fieldManager: String? = nil
    ) async throws -> T {
        try await self.patch(
            T.resource, as: T.self, name: name, namespace: namespace, patch: patch, subresource: subresource,
            fieldManager: fieldManager)
    }

    /// Merge-patches only `status`.
    public func patchStatus<T: KubeObject>(
        _ type: T.Type, name: String, namespace: String? = nil, status: JSONValue, fieldManager: String? = nil
    ) async throws -> T {
        try await patch(T.self, name: name, namespace: namespace, patch: .merge(["status": status]), subresource: "status",
                        fieldManager: fieldManager)
    }

    public func delete<T: KubeObject>(
        _ type: T.Type, name: String, namespace: String? = nil, options: DeleteOptions = DeleteOptions()
    ) async throws {
        try await delete(T.resource, name: name, namespace: namespace, options: options)
    }

    // MARK: Scale subresource

    /// The `scale` subresource of an object (a Deployment, or a custom resource with a scale subresource).
    public func getScale(_ resource: Resource, name: String, namespace: String? = nil) async throws -> Scale {
        try await get(resource, as: Scale.self, name: name, namespace: namespace, subresource: "scale")
    }

    /// Sets `spec.replicas` through the `scale` subresource (a merge patch, as `kubectl scale` sends).
    public func scale(_ resource: Resource, name: String, namespace: String? = nil, replicas: Int32) async throws -> Scale {
        try await patch(
            resource, as: Scale.self, name: name, namespace: namespace,
            patch: .merge(["spec": ["replicas": .int(Int64(replicas))]]), subresource: "scale")
    }
}
