import KubeModels

/// The two event APIs are views of one store (KUBE-API.md §14): objects are kept in the core/v1
/// shape and translated field by field for events.k8s.io/v1.
enum EventConversion {
    private static let pairs: [(core: String, v1: String)] = [
        ("involvedObject", "regarding"), ("message", "note"), ("reportingComponent", "reportingController"),
        ("source", "deprecatedSource"), ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"), ("count", "deprecatedCount"),
    ]
    private static let shared = ["metadata", "reason", "type", "action", "eventTime", "series", "related", "reportingInstance"]

    static func toEventsV1(_ core: JSONValue) -> JSONValue {
        var result: [String: JSONValue] = ["apiVersion": "events.k8s.io/v1", "kind": "Event"]
        for key in shared { result[key] = core[key] }
        for pair in pairs { result[pair.v1] = core[pair.core] }
        if result["reportingController"] == nil, let component = core[path: ["source", "component"]] {
            result["reportingController"] = component
        }
        if var series = core["series"]?.objectValue {
            series["lastObservedTime"] = series["lastObservedTime"] ?? core["lastTimestamp"]
            result["series"] = .object(series)
        }
        return .object(result)
    }

    static func fromEventsV1(_ v1: JSONValue) -> JSONValue {
        if v1["apiVersion"]?.stringValue == "v1" || v1["involvedObject"] != nil { return v1 }
        var result: [String: JSONValue] = ["apiVersion": "v1", "kind": "Event"]
        for key in shared { result[key] = v1[key] }
        for pair in pairs { result[pair.core] = v1[pair.v1] }
        if result["source"] == nil, let controller = v1["reportingController"] {
            result["source"] = ["component": controller]
        }
        if result["lastTimestamp"] == nil, let observed = v1[path: ["series", "lastObservedTime"]] {
            result["lastTimestamp"] = observed
        }
        if result["count"] == nil, let count = v1[path: ["series", "count"]] { result["count"] = count }
        return .object(result)
    }
}
