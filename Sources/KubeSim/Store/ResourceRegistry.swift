import Foundation
import KubeModels

/// The resources the server serves right now: the built-ins plus one entry per served version of
/// every stored CustomResourceDefinition. Registering a CRD makes its resource usable at once.
final class ResourceRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var crdTypes: [String: [ResourceType]] = [:]  // CRD name → its versions

    /// The built-in resources plus every CRD-defined resource, CRD versions in served order.
    var all: [ResourceType] {
        lock.lock()
        defer { lock.unlock() }
        return ResourceType.builtins + crdTypes.keys.sorted().flatMap { crdTypes[$0]! }
    }

    /// The resource at `group`/`version`/`plural`, if served.
    func lookup(group: String, version: String, plural: String) -> ResourceType? {
        if let builtin = ResourceType.builtins.first(where: {
            $0.group == group && $0.version == version && $0.plural == plural
        }) {
            return builtin
        }
        lock.lock()
        defer { lock.unlock() }
        return crdTypes["\(plural).\(group)"]?.first { $0.version == version }
    }

    /// The resource whose Kind is `kind` in `apiVersion` (for ownerReferences and events).
    func lookup(apiVersion: String, kind: String) -> ResourceType? {
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let group = parts.count == 2 ? parts[0] : ""
        let version = parts.count == 2 ? parts[1] : parts.first ?? ""
        return all.first { $0.group == group && $0.version == version && $0.kind == kind && !$0.isEventsV1View }
    }

    /// Starts serving the resources `crd` (a CustomResourceDefinition object) defines.
    func register(crd: JSONValue) {
        guard let name = crd[path: ["metadata", "name"]]?.stringValue else { return }
        let types = Self.resourceTypes(for: crd)
        lock.lock()
        crdTypes[name] = types
        lock.unlock()
    }

    /// Stops serving the resources of the CRD named `name`.
    func unregister(crdName name: String) {
        lock.lock()
        crdTypes[name] = nil
        lock.unlock()
    }

    /// The served versions of a CRD, as resource types (the storage key is shared across versions).
    static func resourceTypes(for crd: JSONValue) -> [ResourceType] {
        guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
            let names = spec["names"], let plural = names["plural"]?.stringValue,
            let kind = names["kind"]?.stringValue
        else { return [] }
        let singular = names["singular"]?.stringValue ?? kind.lowercased()
        let namespaced = (spec["scope"]?.stringValue ?? "Namespaced") == "Namespaced"
        let shortNames = names["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let categories = names["categories"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let versions = (spec["versions"]?.arrayValue ?? []).filter { $0["served"]?.boolValue ?? true }
        // The storage version goes first: it is the preferred version for discovery.
        let ordered = versions.sorted { ($0["storage"]?.boolValue ?? false) && !($1["storage"]?.boolValue ?? false) }
        let versionNames = ordered.compactMap { $0["name"]?.stringValue }
        return ordered.compactMap { version -> ResourceType? in
            guard let versionName = version["name"]?.stringValue else { return nil }
            var type = ResourceType(
                group: group, version: versionName, plural: plural, singular: singular, kind: kind,
                namespaced: namespaced, shortNames: shortNames, categories: categories)
            type.builtin = false
            type.servedVersions = versionNames
            let subresources = version["subresources"] ?? spec["subresources"]
            type.hasStatus = subresources?["status"] != nil
            if let scale = subresources?["scale"], let specPath = scale["specReplicasPath"]?.stringValue,
                let statusPath = scale["statusReplicasPath"]?.stringValue
            {
                type.scale = ResourceType.ScaleMapping(
                    specReplicasPath: specPath, statusReplicasPath: statusPath,
                    labelSelectorPath: scale["labelSelectorPath"]?.stringValue)
            }
            type.schema = version[path: ["schema", "openAPIV3Schema"]] ?? spec[path: ["validation", "openAPIV3Schema"]]
            let columns = version["additionalPrinterColumns"]?.arrayValue ?? spec["additionalPrinterColumns"]?.arrayValue ?? []
            type.printerColumns = columns.compactMap { column in
                guard let name = column["name"]?.stringValue, let path = column["jsonPath"]?.stringValue else { return nil }
                return ResourceType.PrinterColumn(
                    name: name, type: column["type"]?.stringValue ?? "string",
                    format: column["format"]?.stringValue ?? "", description: column["description"]?.stringValue ?? "",
                    priority: Int(column["priority"]?.intValue ?? 0), jsonPath: path)
            }
            type.selectableFields = (version["selectableFields"]?.arrayValue ?? []).compactMap {
                $0["jsonPath"]?.stringValue.map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 }
            }
            return type
        }
    }
}
