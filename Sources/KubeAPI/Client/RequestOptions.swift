import KubeModels

/// Options of a list request.
public struct ListOptions: Sendable, Hashable {
    /// `labelSelector`, e.g. `cutover.dev/rollout,app=web`.
    public var labelSelector: String?
    /// `fieldSelector`, e.g. `metadata.name=web`.
    public var fieldSelector: String?
    /// Page size; pages are followed to the end by ``KubeClient/list(_:as:namespace:options:)``.
    public var limit: Int?
    /// `""`/nil: most recent (consistent read); `"0"`: any cached state; else at least (or exactly) this.
    public var resourceVersion: String?
    /// `NotOlderThan` or `Exact`, with ``resourceVersion``.
    public var resourceVersionMatch: String?

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = 500,
        resourceVersion: String? = nil, resourceVersionMatch: String? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
    }

    var query: [(String, String)] {
        var items: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let limit, limit > 0 { items.append(("limit", String(limit))) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { items.append(("resourceVersionMatch", resourceVersionMatch)) }
        return items
    }
}

/// Options of a watch request.
public struct WatchOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Start after this version; nil or `"0"` starts with synthetic ADDED events for every object.
    public var resourceVersion: String?
    /// Ask for BOOKMARK events (progress notifications carrying only a resourceVersion).
    public var allowWatchBookmarks: Bool
    /// The server ends the watch after this many seconds; the client's read timeout sits above it.
    public var timeoutSeconds: Int?

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
        allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = 300
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
    }

    var query: [(String, String)] {
        var items: [(String, String)] = [("watch", "true")]
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        if allowWatchBookmarks { items.append(("allowWatchBookmarks", "true")) }
        if let timeoutSeconds { items.append(("timeoutSeconds", String(timeoutSeconds))) }
        return items
    }
}

/// A patch body and its type (the `Content-Type` decides the semantics).
public enum Patch: Sendable, Hashable {
    /// RFC 7386 JSON merge patch: `null` deletes a key, arrays are replaced whole.
    case merge(JSONValue)
    /// RFC 6902 JSON patch operations.
    case json([JSONPatchOperation])
    /// Strategic merge patch (built-in kinds only; custom resources answer 415).
    case strategic(JSONValue)
    /// Server-side apply of this (partial) object.
    case apply(JSONValue, force: Bool = false)

    var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .json: return "application/json-patch+json"
        case .strategic: return "application/strategic-merge-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }

    /// Whether applying it twice has the same effect as once (so it may be retried blindly).
    var isIdempotent: Bool {
        switch self {
        case .merge, .apply: return true
        case .json, .strategic: return false
        }
    }
}

/// One RFC 6902 operation.
public struct JSONPatchOperation: Codable, Sendable, Hashable {
    /// `add`, `remove`, `replace`, `move`, `copy` or `test`.
    public var op: String
    public var path: String
    public var value: JSONValue?
    public var from: String?

    public init(op: String, path: String, value: JSONValue? = nil, from: String? = nil) {
        self.op = op
        self.path = path
        self.value = value
        self.from = from
    }

    /// Escapes a key for use in a JSON pointer (`~` → `~0`, `/` → `~1`), e.g. a label key.
    public static func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

/// Options of a delete request.
public struct DeleteOptions: Codable, Sendable, Hashable {
    public var apiVersion: String = "v1"
    public var kind: String = "DeleteOptions"
    /// `Background` (default on the server for most kinds), `Foreground` or `Orphan`.
    public var propagationPolicy: String?
    public var gracePeriodSeconds: Int64?
    public var preconditions: Preconditions?

    public struct Preconditions: Codable, Sendable, Hashable {
        public var uid: String?
        public var resourceVersion: String?
        public init(uid: String? = nil, resourceVersion: String? = nil) {
            self.uid = uid
            self.resourceVersion = resourceVersion
        }
    }

    public init(propagationPolicy: String? = nil, gracePeriodSeconds: Int64? = nil, preconditions: Preconditions? = nil) {
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditions = preconditions
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
