/// Where a kind lives in the API: enough to build every URL for it.
///
/// A new kind is one declaration: `Resource(group: "apps", version: "v1", plural: "deployments",
/// kind: "Deployment", namespaced: true)`.
public struct Resource: Sendable, Hashable, CustomStringConvertible {
    /// The API group; empty for the core group (`/api/v1`).
    public var group: String
    public var version: String
    /// The lower-case plural used in URLs (`deployments`).
    public var plural: String
    public var kind: String
    public var namespaced: Bool

    public init(group: String, version: String, plural: String, kind: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
    }

    /// `apps/v1`, or `v1` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `deployments.apps`, or `pods` for the core group: the name Status messages use.
    public var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }

    public var description: String { qualifiedName }

    /// The path of the collection (`namespace` nil: across all namespaces, or cluster-scoped).
    public func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace { path += "/namespaces/\(namespace)" }
        path += "/\(plural)"
        if let name {
            path += "/\(name)"
            if let subresource { path += "/\(subresource)" }
        }
        return path
    }
}

extension Resource {
    public static let namespaces = Resource(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    public static let pods = Resource(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true)
    public static let services = Resource(group: "", version: "v1", plural: "services", kind: "Service", namespaced: true)
    public static let events = Resource(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true)
    public static let secrets = Resource(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)
    public static let configMaps = Resource(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    public static let deployments = Resource(group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true)
    public static let leases = Resource(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true)
    public static let jobs = Resource(group: "batch", version: "v1", plural: "jobs", kind: "Job", namespaced: true)
}

/// A Kubernetes object with a known ``Resource``: what the typed client verbs accept.
public protocol KubeObject: Codable, Sendable {
    /// Where objects of this type live in the API.
    static var resource: Resource { get }
    var apiVersion: String? { get set }
    var kind: String? { get set }
    var metadata: ObjectMeta { get set }
}

extension KubeObject {
    /// Fills `apiVersion` and `kind` from ``resource`` (typed lists omit them on items).
    public mutating func setTypeMeta() {
        apiVersion = Self.resource.apiVersion
        kind = Self.resource.kind
    }
}

/// `{apiVersion, kind, metadata, items}`: a page of a list.
public struct ObjectList<Item: Sendable>: Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta
    public var items: [Item]

    public init(apiVersion: String? = nil, kind: String? = nil, metadata: ListMeta = ListMeta(), items: [Item]) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.items = items
    }

    enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, items }
}

extension ObjectList: Encodable where Item: Encodable {}

extension ObjectList: Decodable where Item: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        // The API server writes `"items": null` for an empty list of some kinds.
        items = try container.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}

/// A free-form object of any kind, kept whole: for kinds without a model and for unknown fields.
public struct DynamicObject: KubeObject, Hashable {
    public static let resource = Resource(group: "", version: "v1", plural: "", kind: "", namespaced: true)
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    /// Every other top-level field (`spec`, `status`, `data`, ...), unchanged.
    public var rest: [String: JSONValue]

    public init(apiVersion: String? = nil, kind: String? = nil, metadata: ObjectMeta, rest: [String: JSONValue] = [:]) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.rest = rest
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "apiVersion"))
        kind = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "kind"))
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: Key(stringValue: "metadata")) ?? ObjectMeta()
        var rest: [String: JSONValue] = [:]
        for key in container.allKeys where !["apiVersion", "kind", "metadata"].contains(key.stringValue) {
            rest[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        self.rest = rest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encodeIfPresent(apiVersion, forKey: Key(stringValue: "apiVersion"))
        try container.encodeIfPresent(kind, forKey: Key(stringValue: "kind"))
        try container.encode(metadata, forKey: Key(stringValue: "metadata"))
        for (key, value) in rest { try container.encode(value, forKey: Key(stringValue: key)) }
    }
}

/// Only the metadata of an object of kind `Object`, as `PartialObjectMetadata` is: for a cache
/// that reads labels and owners and nothing else. The rest of each object is parsed and dropped.
public struct MetadataOnly<Object: KubeObject>: KubeObject, Hashable {
    public static var resource: Resource { Object.resource }
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta

    public init(metadata: ObjectMeta) {
        self.metadata = metadata
    }
}
