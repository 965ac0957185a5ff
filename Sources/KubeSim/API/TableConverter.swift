import Foundation
import KubeModels

/// `meta.k8s.io/v1` Table rendering for `kubectl get` (KUBE-API.md §4): built-in columns for the
/// kinds kubectl users look at, CRD `additionalPrinterColumns` (JSONPath, types, priority), and
/// dates as human ages.
enum TableConverter {
    struct Column: Sendable {
        var name: String
        var type: String = "string"
        var format: String = ""
        var description: String = ""
        var priority: Int = 0
        var cell: @Sendable (JSONValue) -> JSONValue
    }

    static func table(
        _ type: ResourceType, _ objects: [JSONValue], includeObject: String, resourceVersion: String, continueToken: String?
    ) -> JSONValue {
        let columns = self.columns(for: type)
        let definitions: [JSONValue] = columns.map {
            ["name": .string($0.name), "type": .string($0.type), "format": .string($0.format),
             "description": .string($0.description), "priority": .int(Int64($0.priority))]
        }
        let rows: [JSONValue] = objects.map { object in
            var row: [String: JSONValue] = ["cells": .array(columns.map { $0.cell(object) })]
            switch includeObject {
            case "None": break
            case "Object": row["object"] = object
            default:
                row["object"] = [
                    "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? [:],
                ]
            }
            return .object(row)
        }
        var metadata: [String: JSONValue] = ["resourceVersion": .string(resourceVersion)]
        if let continueToken { metadata["continue"] = .string(continueToken) }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object(metadata),
            "columnDefinitions": .array(definitions), "rows": .array(rows),
        ]
    }

    private static let nameColumn = Column(
        name: "Name", format: "name", description: "Name must be unique within a namespace.",
        cell: { .string($0[path: ["metadata", "name"]]?.stringValue ?? "") })

    private static let ageColumn = Column(
        name: "Age", description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
        cell: { age($0[path: ["metadata", "creationTimestamp"]]) })

    private static func text(_ path: [String], default fallback: String = "<none>") -> @Sendable (JSONValue) -> JSONValue {
        { object in .string(object[path: path].map(JSONPath.text) ?? fallback) }
    }

    private static func integer(_ path: [String]) -> @Sendable (JSONValue) -> JSONValue {
        { object in .int(object[path: path]?.intValue ?? 0) }
    }

    static func columns(for type: ResourceType) -> [Column] {
        if let printerColumns = type.printerColumns {
            if printerColumns.isEmpty { return [nameColumn, ageColumn] }
            return [nameColumn] + printerColumns.map(customColumn)
        }
        switch (type.group, type.kind) {
        case ("apps", "Deployment"):
            return [
                nameColumn,
                Column(name: "Ready", cell: { object in
                    .string("\(object[path: ["status", "readyReplicas"]]?.intValue ?? 0)/\(object[path: ["spec", "replicas"]]?.intValue ?? 0)")
                }),
                Column(name: "Up-to-date", type: "integer", cell: integer(["status", "updatedReplicas"])),
                Column(name: "Available", type: "integer", cell: integer(["status", "availableReplicas"])),
                ageColumn,
                Column(name: "Containers", priority: 1, cell: { containerField($0, "name") }),
                Column(name: "Images", priority: 1, cell: { containerField($0, "image") }),
                Column(name: "Selector", priority: 1, cell: { object in
                    .string(object[path: ["spec", "selector"]].map { LabelSelector(object: $0).text } ?? "<none>")
                }),
            ]
        case ("batch", "Job"):
            return [
                nameColumn,
                Column(name: "Status", description: "Status of the job.", cell: { jobStatus($0) }),
                Column(name: "Completions", description: "The completed and desired completions.", cell: { object in
                    .string("\(object[path: ["status", "succeeded"]]?.intValue ?? 0)/\(object[path: ["spec", "completions"]]?.intValue ?? 1)")
                }),
                Column(name: "Duration", description: "Time required to complete the job.", cell: { object in
                    guard let start = object[path: ["status", "startTime"]]?.stringValue.flatMap({ Timestamp(rfc3339: $0) }) else { return "" }
                    let end = object[path: ["status", "completionTime"]]?.stringValue.flatMap { Timestamp(rfc3339: $0) }?.date ?? Date()
                    return .string(humanDuration(end.timeIntervalSince(start.date)))
                }),
                ageColumn,
                Column(name: "Containers", priority: 1, cell: { containerField($0, "name") }),
                Column(name: "Images", priority: 1, cell: { containerField($0, "image") }),
                Column(name: "Selector", priority: 1, cell: { object in
                    .string(object[path: ["spec", "selector"]].map { LabelSelector(object: $0).text } ?? "<none>")
                }),
            ]
        case ("", "Pod"):
            return [
                nameColumn,
                Column(name: "Ready", cell: { object in
                    let total = object[path: ["spec", "containers"]]?.arrayValue?.count ?? 0
                    let ready = (object[path: ["status", "containerStatuses"]]?.arrayValue ?? []).filter { $0["ready"]?.boolValue == true }.count
                    return .string("\(ready)/\(total)")
                }),
                Column(name: "Status", cell: { object in
                    if object[path: ["metadata", "deletionTimestamp"]] != nil { return "Terminating" }
                    return .string(object[path: ["status", "phase"]]?.stringValue ?? "Pending")
                }),
                Column(name: "Restarts", cell: { _ in "0" }),
                ageColumn,
                Column(name: "IP", priority: 1, cell: text(["status", "podIP"])),
                Column(name: "Node", priority: 1, cell: text(["spec", "nodeName"])),
            ]
        case ("", "Service"):
            return [
                nameColumn,
                Column(name: "Type", cell: text(["spec", "type"])),
                Column(name: "Cluster-IP", cell: text(["spec", "clusterIP"])),
                Column(name: "External-IP", cell: { _ in "<none>" }),
                Column(name: "Port(s)", cell: { object in
                    let ports = (object[path: ["spec", "ports"]]?.arrayValue ?? []).map {
                        "\($0["port"]?.intValue ?? 0)/\($0["protocol"]?.stringValue ?? "TCP")"
                    }
                    return .string(ports.isEmpty ? "<none>" : ports.joined(separator: ","))
                }),
                ageColumn,
                Column(name: "Selector", priority: 1, cell: { object in
                    let selector = (object[path: ["spec", "selector"]]?.objectValue ?? [:]).sorted { $0.key < $1.key }
                        .map { "\($0.key)=\($0.value.stringValue ?? "")" }
                    return .string(selector.isEmpty ? "<none>" : selector.joined(separator: ","))
                }),
            ]
        case ("", "Namespace"):
            return [nameColumn, Column(name: "Status", cell: text(["status", "phase"], default: "Active")), ageColumn]
        case ("", "ConfigMap"):
            return [nameColumn, Column(name: "Data", type: "integer", cell: { .int(Int64(($0["data"]?.objectValue?.count ?? 0) + ($0["binaryData"]?.objectValue?.count ?? 0))) }), ageColumn]
        case ("", "Secret"):
            return [nameColumn, Column(name: "Type", cell: text(["type"], default: "Opaque")),
                    Column(name: "Data", type: "integer", cell: { .int(Int64($0["data"]?.objectValue?.count ?? 0)) }), ageColumn]
        case ("", "Event"), ("events.k8s.io", "Event"):
            return [
                Column(name: "Last Seen", cell: { object in
                    age(object["lastTimestamp"] ?? object["eventTime"] ?? object[path: ["metadata", "creationTimestamp"]])
                }),
                Column(name: "Type", cell: text(["type"])),
                Column(name: "Reason", cell: text(["reason"])),
                Column(name: "Object", cell: { object in
                    let target = object["involvedObject"] ?? object["regarding"] ?? [:]
                    return .string("\((target["kind"]?.stringValue ?? "").lowercased())/\(target["name"]?.stringValue ?? "")")
                }),
                Column(name: "Message", cell: { .string(($0["message"] ?? $0["note"])?.stringValue ?? "") }),
            ]
        case ("coordination.k8s.io", "Lease"):
            return [nameColumn, Column(name: "Holder", cell: text(["spec", "holderIdentity"], default: "")), ageColumn]
        case ("apiextensions.k8s.io", "CustomResourceDefinition"), ("rbac.authorization.k8s.io", "Role"),
            ("rbac.authorization.k8s.io", "ClusterRole"):
            // The real printers show these kinds' creation time as a timestamp, not an age.
            return [nameColumn, createdAtColumn]
        case ("rbac.authorization.k8s.io", "RoleBinding"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"):
            return [
                nameColumn,
                Column(name: "Role", description: "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.", cell: { object in
                    .string("\(object[path: ["roleRef", "kind"]]?.stringValue ?? "")/\(object[path: ["roleRef", "name"]]?.stringValue ?? "")")
                }),
                ageColumn,
                Column(name: "Users", description: "Users in the roleBinding", priority: 1, cell: { subjects($0, kind: "User") }),
                Column(name: "Groups", description: "Groups in the roleBinding", priority: 1, cell: { subjects($0, kind: "Group") }),
                Column(name: "ServiceAccounts", description: "ServiceAccounts in the roleBinding", priority: 1, cell: { subjects($0, kind: "ServiceAccount") }),
            ]
        default:
            return [nameColumn, ageColumn]
        }
    }

    /// The Job printer's status: the first true terminal condition, else Suspended or Running.
    private static func jobStatus(_ job: JSONValue) -> JSONValue {
        if job[path: ["metadata", "deletionTimestamp"]] != nil { return "Terminating" }
        let conditions = (job[path: ["status", "conditions"]]?.arrayValue ?? []).filter { $0["status"]?.stringValue == "True" }
        for type in ["Complete", "Failed", "SuccessCriteriaMet", "FailureTarget", "Suspended"] where conditions.contains(where: { $0["type"]?.stringValue == type }) {
            return .string(type)
        }
        return "Running"
    }

    private static let createdAtColumn = Column(
        name: "Created At", type: "date",
        description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
        cell: { $0[path: ["metadata", "creationTimestamp"]] ?? .null })

    /// rbac.SubjectsStrings: users and groups by name, service accounts as `namespace/name`.
    private static func subjects(_ binding: JSONValue, kind: String) -> JSONValue {
        let names = (binding["subjects"]?.arrayValue ?? []).filter { $0["kind"]?.stringValue == kind }.map { subject in
            let name = subject["name"]?.stringValue ?? ""
            return kind == "ServiceAccount" ? "\(subject["namespace"]?.stringValue ?? "")/\(name)" : name
        }
        return .string(names.joined(separator: ", "))
    }

    private static func containerField(_ object: JSONValue, _ field: String) -> JSONValue {
        let values = (object[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).compactMap { $0[field]?.stringValue }
        return .string(values.joined(separator: ","))
    }

    private static func customColumn(_ column: ResourceType.PrinterColumn) -> Column {
        let path = JSONPath(column.jsonPath)
        return Column(
            name: column.name, type: column.type, format: column.format, description: column.description,
            priority: column.priority,
            cell: { object in
                let values = path.evaluate(object)
                guard let value = values.first else { return .null }
                switch column.type {
                case "date": return age(value)
                case "integer": return value.intValue.map(JSONValue.int) ?? .null
                case "number": return value.doubleValue.map(JSONValue.double) ?? .null
                case "boolean": return value.boolValue.map(JSONValue.bool) ?? .null
                default: return .string(values.map(JSONPath.text).joined(separator: ","))
                }
            })
    }

    /// A timestamp as the age kubectl prints (`45s`, `5m3s`, `3h10m`, `2d`).
    static func age(_ value: JSONValue?, now: Date = Date()) -> JSONValue {
        guard let text = value?.stringValue, let timestamp = Timestamp(rfc3339: text) else { return "<unknown>" }
        return .string(humanDuration(now.timeIntervalSince(timestamp.date)))
    }

    /// k8s.io/apimachinery's `duration.HumanDuration`.
    static func humanDuration(_ interval: TimeInterval) -> String {
        let seconds = Int(interval.rounded(.down))
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let rest = seconds % 60
            return rest == 0 ? "\(minutes)m" : "\(minutes)m\(rest)s"
        }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 {
            let rest = minutes % 60
            return rest == 0 ? "\(hours)h" : "\(hours)h\(rest)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let rest = hours % 24
            return rest == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(rest)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let rest = (hours / 24) % 365
            return rest == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(rest)d"
        }
        return "\(hours / 24 / 365)y"
    }
}
