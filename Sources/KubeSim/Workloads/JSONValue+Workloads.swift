import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Small readers over stored objects: the simulator reads a few fields of documents it does not
// own, so it reads them in place instead of decoding whole objects on every tick.
extension JSONValue {
    var simName: String { self[path: ["metadata", "name"]]?.stringValue ?? "" }
    var simNamespace: String { self[path: ["metadata", "namespace"]]?.stringValue ?? "" }
    var simUID: String? { self[path: ["metadata", "uid"]]?.stringValue }
    var simIsTerminating: Bool {
        if let deletion = self[path: ["metadata", "deletionTimestamp"]], !deletion.isNull { return true }
        return false
    }
    var simLabels: [String: String] { self[path: ["metadata", "labels"]]?.simStringMap ?? [:] }
    var simAnnotations: [String: String] { self[path: ["metadata", "annotations"]]?.simStringMap ?? [:] }

    /// An object of strings as a dictionary; other members are skipped.
    var simStringMap: [String: String] {
        guard let members = objectValue else { return [:] }
        var result: [String: String] = [:]
        for (key, value) in members {
            if let text = value.stringValue { result[key] = text }
        }
        return result
    }

    /// A string map as a JSON object.
    init(simStringMap: [String: String]) {
        self = .object(simStringMap.mapValues { .string($0) })
    }

    /// `metav1.Time` text (whole seconds) for `date`.
    static func simTime(_ date: Date) -> JSONValue { .string(Timestamp(date).description) }

    /// Whether the pod's `Ready` condition is `True`.
    var simIsReadyPod: Bool {
        guard let conditions = self[path: ["status", "conditions"]]?.arrayValue else { return false }
        return conditions.contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
    }
}
