import Foundation
import KubeModels

/// Per-kind server behaviour the API machinery applies on every write: defaults, validation,
/// which parts of an object count as its spec (for `generation`), and server-set fields.
enum ObjectRules {
    /// Whether the kind carries `metadata.generation` at all (as in the real API).
    static func tracksGeneration(_ type: ResourceType) -> Bool {
        !type.builtin || type.kind == "Deployment" || type.kind == "Job" || type.kind == "CustomResourceDefinition"
    }

    /// The part of an object whose change bumps `generation`: everything but metadata, and but
    /// status when the resource has a status subresource.
    static func specPart(_ object: JSONValue, _ type: ResourceType) -> JSONValue {
        var members = object.objectValue ?? [:]
        members["metadata"] = nil
        members["apiVersion"] = nil
        members["kind"] = nil
        if type.hasStatus { members["status"] = nil }
        return .object(members)
    }

    /// A random suffix for `generateName`, from the same alphabet as the real server (no vowels).
    static func randomSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }

    /// Fills built-in defaults the real API server applies (Deployment strategy, Service IPs, ...).
    static func applyDefaults(_ object: inout JSONValue, _ type: ResourceType, isCreate: Bool) {
        switch (type.group, type.kind) {
        case ("apps", "Deployment"):
            if object[path: ["spec", "replicas"]] == nil { object.set(path: ["spec", "replicas"], to: 1) }
            if object[path: ["spec", "strategy"]] == nil {
                object.set(path: ["spec", "strategy"], to: [
                    "type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"],
                ])
            }
            if object[path: ["spec", "revisionHistoryLimit"]] == nil { object.set(path: ["spec", "revisionHistoryLimit"], to: 10) }
            if object[path: ["spec", "progressDeadlineSeconds"]] == nil {
                object.set(path: ["spec", "progressDeadlineSeconds"], to: 600)
            }
        case ("", "Service"):
            if object[path: ["spec", "type"]] == nil { object.set(path: ["spec", "type"], to: "ClusterIP") }
            if object[path: ["spec", "sessionAffinity"]] == nil { object.set(path: ["spec", "sessionAffinity"], to: "None") }
            if isCreate, object[path: ["spec", "clusterIP"]] == nil {
                let ip = "10.96.\(Int.random(in: 1...254)).\(Int.random(in: 1...254))"
                object.set(path: ["spec", "clusterIP"], to: .string(ip))
                object.set(path: ["spec", "clusterIPs"], to: [.string(ip)])
            }
            if let ports = object[path: ["spec", "ports"]]?.arrayValue {
                object.set(path: ["spec", "ports"], to: .array(ports.map { port in
                    var port = port
                    if port["protocol"] == nil { port["protocol"] = "TCP" }
                    if port["targetPort"] == nil, let number = port["port"] { port["targetPort"] = number }
                    return port
                }))
            }
        case ("batch", "Job"):
            for (field, value) in [
                ("completions", JSONValue.int(1)), ("parallelism", .int(1)), ("backoffLimit", .int(6)), ("completionMode", "NonIndexed"),
                ("suspend", false), ("podReplacementPolicy", "TerminatingOrFailed"),
            ] where object[path: ["spec", field]] == nil {
                object.set(path: ["spec", field], to: value)
            }
        case ("", "Namespace"):
            if isCreate { object["status"] = ["phase": "Active"] }
        case ("", "Secret"):
            // stringData is write-only: merged into data (base64), overwriting, and never stored.
            if object["type"] == nil { object["type"] = "Opaque" }
            if let plain = object["stringData"]?.objectValue {
                var data = object["data"]?.objectValue ?? [:]
                for (key, value) in plain { data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString()) }
                object["data"] = .object(data)
                object["stringData"] = nil
            }
        case ("", "Pod"):
            if isCreate, object[path: ["status", "phase"]] == nil { object["status"] = ["phase": "Pending"] }
        default:
            break
        }
    }

    /// What the server sets from the new object's uid: a Job's selector and its pod template's
    /// labels (`batch.kubernetes.io/controller-uid`, `batch.kubernetes.io/job-name` and the
    /// legacy `controller-uid`, `job-name`), unless `manualSelector`.
    static func applyUIDDefaults(_ object: inout JSONValue, _ type: ResourceType, isCreate: Bool) {
        guard isCreate, type.group == "batch", type.kind == "Job", object[path: ["spec", "manualSelector"]]?.boolValue != true,
            let uid = object[path: ["metadata", "uid"]]?.stringValue, let name = object[path: ["metadata", "name"]]?.stringValue
        else { return }
        object.set(path: ["spec", "selector"], to: ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]])
        var labels = object[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:]
        for key in ["batch.kubernetes.io/controller-uid", "controller-uid"] { labels[key] = .string(uid) }
        for key in ["batch.kubernetes.io/job-name", "job-name"] { labels[key] = .string(name) }
        object.set(path: ["spec", "template", "metadata", "labels"], to: .object(labels))
    }

    /// Validation of built-in kinds, as field causes (422 Invalid).
    static func validate(_ object: JSONValue, _ type: ResourceType, old: JSONValue?) -> [StatusCause] {
        var causes: [StatusCause] = []
        switch (type.group, type.kind) {
        case ("apps", "Deployment"):
            guard let selector = object[path: ["spec", "selector"]], selector.objectValue?.isEmpty == false else {
                causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.selector"))
                return causes
            }
            let labels = object[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:]
            if !LabelSelector(object: selector).matches(labels) {
                causes.append(StatusCause(
                    reason: "FieldValueInvalid",
                    message: "Invalid value: \(JSONWriter.string(.object(labels))): `selector` does not match template `labels`",
                    field: "spec.template.metadata.labels"))
            }
            if (object[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).isEmpty {
                causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.template.spec.containers"))
            }
            if let replicas = object[path: ["spec", "replicas"]]?.intValue, replicas < 0 {
                causes.append(StatusCause(
                    reason: "FieldValueInvalid", message: "Invalid value: \(replicas): must be greater than or equal to 0",
                    field: "spec.replicas"))
            }
            if let old, let oldSelector = old[path: ["spec", "selector"]], oldSelector != selector {
                causes.append(StatusCause(
                    reason: "FieldValueInvalid", message: "Invalid value: \(JSONWriter.string(selector)): field is immutable",
                    field: "spec.selector"))
            }
        case ("batch", "Job"):
            if (object[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).isEmpty {
                causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.template.spec.containers"))
            }
            let restart = object[path: ["spec", "template", "spec", "restartPolicy"]]?.stringValue
            if restart != "Never", restart != "OnFailure" {
                causes.append(StatusCause(
                    reason: restart == nil ? "FieldValueRequired" : "FieldValueNotSupported",
                    message: restart == nil
                        ? "Required value: valid values: \"OnFailure\", \"Never\""
                        : "Unsupported value: \"\(restart!)\": supported values: \"OnFailure\", \"Never\"",
                    field: "spec.template.spec.restartPolicy"))
            }
            if let old, old[path: ["spec", "template"]] != object[path: ["spec", "template"]] {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: field is immutable", field: "spec.template"))
            }
        case ("", "Pod"):
            if (object[path: ["spec", "containers"]]?.arrayValue ?? []).isEmpty {
                causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.containers"))
            }
        case ("apiextensions.k8s.io", "CustomResourceDefinition"):
            for field in ["group", "names.plural", "names.kind"] where object[path: ["spec"] + field.split(separator: ".").map(String.init)] == nil {
                causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.\(field)"))
            }
            if let group = object[path: ["spec", "group"]]?.stringValue, let plural = object[path: ["spec", "names", "plural"]]?.stringValue,
                let name = object[path: ["metadata", "name"]]?.stringValue, name != "\(plural).\(group)"
            {
                causes.append(StatusCause(
                    reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": must be spec.names.plural+\".\"+spec.group",
                    field: "metadata.name"))
            }
        default:
            break
        }
        return causes
    }

    /// The status a CRD gets once the server serves it (Established, NamesAccepted).
    static func crdStatus(_ crd: JSONValue) -> JSONValue {
        let now = APIServer.now()
        let storage = (crd[path: ["spec", "versions"]]?.arrayValue ?? []).first { $0["storage"]?.boolValue == true }
        return [
            "acceptedNames": crd[path: ["spec", "names"]] ?? .object([:]),
            "conditions": [
                ["type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
                 "message": "no conflicts found", "lastTransitionTime": .string(now)],
                ["type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                 "message": "the initial names have been accepted", "lastTransitionTime": .string(now)],
            ],
            "storedVersions": .array([storage?["name"] ?? "v1"]),
        ]
    }
}
