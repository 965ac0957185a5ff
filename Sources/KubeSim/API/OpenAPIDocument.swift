import KubeModels

/// Minimal OpenAPI v3 documents (KUBE-API.md §1): enough for kubectl to find, per kind, a PATCH
/// operation tagged `x-kubernetes-group-version-kind` with a `fieldValidation` query parameter,
/// so `kubectl apply` validates on the server. Strategic merge is not advertised here, so kubectl
/// builds strategic patches for built-in kinds from its compiled-in types and merge patches for
/// custom resources, as against a real server.
enum OpenAPIDocument {
    static func index(_ types: [ResourceType]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        var groupVersions: [(String, String)] = []
        for type in types where !groupVersions.contains(where: { $0 == (type.group, type.version) }) {
            groupVersions.append((type.group, type.version))
        }
        for (group, version) in groupVersions {
            let key = group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
            let document = groupVersion(types.filter { $0.group == group && $0.version == version })
            paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(hash(document))")]
        }
        return ["paths": .object(paths)]
    }

    static func groupVersion(_ types: [ResourceType]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = [:]
        for type in types {
            let gvk: JSONValue = ["group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind)]
            let schemaName = schemaName(type)
            let reference: JSONValue = ["$ref": .string("#/components/schemas/\(schemaName)")]
            var schema = type.schema ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
            schema["x-kubernetes-group-version-kind"] = [gvk]
            schemas[schemaName] = schema
            let prefix = type.group.isEmpty ? "/api/\(type.version)" : "/apis/\(type.group)/\(type.version)"
            let collection = type.namespaced ? "\(prefix)/namespaces/{namespace}/\(type.plural)" : "\(prefix)/\(type.plural)"
            var pathParameters: [JSONValue] = [["name": "name", "in": "path", "required": true, "schema": ["type": "string"]]]
            if type.namespaced {
                pathParameters.append(["name": "namespace", "in": "path", "required": true, "schema": ["type": "string"]])
            }
            let ok: JSONValue = ["200": ["description": "OK", "content": ["application/json": ["schema": reference]]]]
            let query = { (name: String) -> JSONValue in
                ["name": .string(name), "in": "query", "schema": ["type": "string"], "uniqueItems": true]
            }
            let bodyContent: JSONValue = .object(Dictionary(uniqueKeysWithValues:
                ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"].map {
                    ($0, ["schema": ["type": "object"]] as JSONValue)
                }))
            let patch: JSONValue = [
                "operationId": .string("patch\(type.kind)"), "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": gvk,
                "parameters": .array(["dryRun", "fieldManager", "fieldValidation", "force"].map(query)),
                "requestBody": ["content": bodyContent, "required": true], "responses": ok,
            ]
            let operation = { (action: String) -> JSONValue in
                ["operationId": .string("\(action)\(type.kind)"), "x-kubernetes-action": .string(action),
                 "x-kubernetes-group-version-kind": gvk, "responses": ok]
            }
            paths["\(collection)/{name}"] = [
                "get": operation("get"), "put": operation("put"), "delete": operation("delete"), "patch": patch,
                "parameters": .array(pathParameters),
            ]
            paths[collection] = ["get": operation("list"), "post": operation("post")]
        }
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.32.0"], "paths": .object(paths),
            "components": ["schemas": .object(schemas)],
        ]
    }

    static func schemaName(_ type: ResourceType) -> String {
        let group = type.group.isEmpty ? "core" : type.group
        return "\(group.split(separator: ".").reversed().joined(separator: ".")).\(type.version).\(type.kind)"
    }

    /// FNV-1a of the document's canonical JSON: changes whenever the document does.
    static func hash(_ document: JSONValue) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in document.canonicalJSON.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
        return String(value, radix: 16, uppercase: true)
    }
}
