import KubeModels

/// One change seen by a watch.
public enum WatchUpdate<Object: Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// A progress marker: everything up to `resourceVersion` has been sent. `initialEventsEnd` marks the
    /// end of the initial state of a watch-list (`sendInitialEvents=true`).
    case bookmark(resourceVersion: String, initialEventsEnd: Bool)

    /// The object of an added/modified/deleted event.
    public var object: Object? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): return object
        case .bookmark: return nil
        }
    }
}

/// The wire form of one watch line, decoded in a single pass: the `type` decides whether `object`
/// is the watched kind, a Status (ERROR) or a bare bookmark.
struct WatchEnvelope<Object: Decodable & Sendable>: Decodable {
    enum Payload {
        case update(WatchUpdate<Object>)
        case failure(Status)
    }

    var payload: Payload

    private enum Keys: String, CodingKey { case type, object }

    private struct BookmarkObject: Decodable {
        struct Metadata: Decodable {
            var resourceVersion: String?
            var annotations: [String: String]?
        }
        var metadata: Metadata?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ADDED": payload = .update(.added(try container.decode(Object.self, forKey: .object)))
        case "MODIFIED": payload = .update(.modified(try container.decode(Object.self, forKey: .object)))
        case "DELETED": payload = .update(.deleted(try container.decode(Object.self, forKey: .object)))
        case "BOOKMARK":
            let bookmark = try container.decode(BookmarkObject.self, forKey: .object)
            payload = .update(.bookmark(
                resourceVersion: bookmark.metadata?.resourceVersion ?? "",
                initialEventsEnd: bookmark.metadata?.annotations?["k8s.io/initial-events-end"] == "true"))
        case "ERROR":
            payload = .failure((try? container.decode(Status.self, forKey: .object))
                ?? Status(message: "watch failed with an unreadable ERROR event", reason: "InternalError", code: 500))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown watch event type \(type)")
        }
    }
}
