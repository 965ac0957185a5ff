import KubeModels

/// A listed or watched item: the model, or, when the item does not fit it, who it is and why. A
/// cache lists and watches through this so that one object it cannot read (a field the model
/// types more strictly than the API server's schema) does not fail the list or watch of every other.
public enum Decoded<Object: Decodable & Sendable>: Decodable, Sendable {
    case object(Object)
    case undecodable(UndecodableObject)

    public init(from decoder: any Decoder) throws {
        do {
            self = .object(try Object(from: decoder))
        } catch {
            let identity = try? Identity(from: decoder)
            self = .undecodable(UndecodableObject(
                namespace: identity?.metadata?.namespace, name: identity?.metadata?.name ?? "",
                resourceVersion: identity?.metadata?.resourceVersion, reason: String(describing: error)))
        }
    }

    private struct Identity: Decodable {
        struct Metadata: Decodable {
            var name: String?
            var namespace: String?
            var resourceVersion: String?
        }
        var metadata: Metadata?
    }
}

/// Who an unreadable object is, and why it could not be decoded.
public struct UndecodableObject: Sendable, Hashable {
    public var namespace: String?
    public var name: String
    public var resourceVersion: String?
    public var reason: String

    public init(namespace: String?, name: String, resourceVersion: String?, reason: String) {
        self.namespace = namespace
        self.name = name
        self.resourceVersion = resourceVersion
        self.reason = reason
    }
}
