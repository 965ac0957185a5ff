import Foundation
import KubeModels

extension APIServer {
    /// How the client asked to see objects: as JSON, or as a `meta.k8s.io/v1` Table.
    struct ReadOptions {
        var asTable: Bool
        var includeObject: String

        init(_ request: HTTPRequest) {
            asTable = (request.headers["accept"] ?? "").contains("as=Table")
            includeObject = request.query["includeObject"] ?? "Metadata"
        }
    }

    func get(_ request: HTTPRequest, _ type: ResourceType, namespace: String?, name: String) throws -> HTTPResponse {
        guard let object = store.get(type.storageKey, namespace: namespace, name: name) else {
            throw APIError.notFound(type, name: name)
        }
        let options = ReadOptions(request)
        if options.asTable {
            let rendered = render(object, as: type)
            let table = TableConverter.table(
                type, [rendered], includeObject: options.includeObject,
                resourceVersion: object[path: ["metadata", "resourceVersion"]]?.stringValue ?? "", continueToken: nil)
            return .json(200, table)
        }
        return .json(200, render(object, as: type))
    }

    /// `GET pods/NAME/log`: what the pod's container printed (a Job pod's
    /// `sim.cutover.dev/log`), plain text; `tailLines` keeps the last lines, `container` must
    /// name one of the pod's containers.
    func podLog(_ request: HTTPRequest, _ type: ResourceType, namespace: String?, name: String) throws -> HTTPResponse {
        guard let pod = store.get(type.storageKey, namespace: namespace, name: name) else { throw APIError.notFound(type, name: name) }
        let containers = (pod[path: ["spec", "containers"]]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        if let container = request.query["container"], !containers.contains(container) {
            throw APIError.badRequest("container \(container) is not valid for pod \(name)")
        }
        if request.query["container"] == nil, containers.count > 1 {
            throw APIError.badRequest(
                "a container name must be specified for pod \(name), choose one of: [\(containers.joined(separator: " "))]")
        }
        var lines = JobPod.log(of: pod).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        if let text = request.query["tailLines"] {
            guard let tail = Int(text), tail >= 0 else { throw APIError.badRequest("invalid tailLines \(text)") }
            lines = Array(lines.suffix(tail))
        }
        return .text(200, lines.map { $0 + "\n" }.joined())
    }

    /// Selectors of a list or watch, validated against the resource.
    struct Filter {
        var labels: LabelSelector?
        var fields: FieldSelector?

        init(_ request: HTTPRequest, _ type: ResourceType) throws {
            if let text = request.query["labelSelector"], !text.isEmpty { labels = try LabelSelector(parsing: text) }
            if let text = request.query["fieldSelector"], !text.isEmpty {
                let selector = try FieldSelector(parsing: text)
                try selector.validate(for: type)
                fields = selector
            }
        }

        var isEmpty: Bool { labels == nil && fields == nil }

        func matches(_ object: JSONValue) -> Bool {
            if let labels, !labels.matches(object[path: ["metadata", "labels"]]?.objectValue ?? [:]) { return false }
            if let fields, !fields.matches(object) { return false }
            return true
        }
    }

    func list(_ request: HTTPRequest, _ type: ResourceType, namespace: String?) throws -> HTTPResponse {
        let filter = try Filter(request, type)
        let requestedVersion = request.query["resourceVersion"] ?? ""
        var limit = Int(request.query["limit"] ?? "") ?? 0
        if requestedVersion == "0" { limit = 0 }
        var after: String?
        var listVersion: UInt64?
        if let token = request.query["continue"], !token.isEmpty {
            guard let decoded = ContinueToken(token) else { throw APIError.badRequest("continue key is not valid: \(token)") }
            if decoded.resourceVersion < store.oldestResumableVersion {
                throw APIError.expired(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
            }
            after = decoded.key
            listVersion = decoded.resourceVersion
        }
        if request.query["resourceVersionMatch"] == "Exact", let exact = UInt64(requestedVersion),
            exact != store.resourceVersion
        {
            throw APIError.expired("too old resource version: \(exact) (\(store.resourceVersion))")
        }
        let (page, nextKey, remainingKeys, version) = store.listPage(
            type.storageKey, namespace: namespace, after: after, limit: limit, matching: { filter.isEmpty || filter.matches($0) })
        let nextToken = nextKey.map { ContinueToken(resourceVersion: listVersion ?? version, key: $0).text }
        let remaining = filter.isEmpty ? remainingKeys : 0
        let resourceVersion = String(listVersion ?? version)
        let options = ReadOptions(request)
        if options.asTable {
            let table = TableConverter.table(
                type, page.map { render($0.object, as: type) }, includeObject: options.includeObject,
                resourceVersion: resourceVersion, continueToken: nextToken)
            return .json(200, table)
        }
        return HTTPResponse(
            status: 200, headers: [("Content-Type", "application/json")],
            body: .bytes(listBytes(type, page.map { ($0.object, $0.bytes) }, resourceVersion: resourceVersion, continueToken: nextToken, remaining: remaining)))
    }

    /// Writes a list straight to bytes: large lists are the hot path of the scale benchmark.
    private func listBytes(
        _ type: ResourceType, _ items: [(object: JSONValue, bytes: [UInt8])], resourceVersion: String,
        continueToken: String?, remaining: Int
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(256) { $0 + $1.bytes.count + 1 })
        var metadata: [String: JSONValue] = ["resourceVersion": .string(resourceVersion)]
        if let continueToken {
            metadata["continue"] = .string(continueToken)
            if remaining > 0 { metadata["remainingItemCount"] = .int(Int64(remaining)) }
        }
        out.append(contentsOf: "{\"apiVersion\":".utf8)
        JSONWriter.writeString(type.apiVersion, into: &out)
        out.append(contentsOf: ",\"kind\":".utf8)
        JSONWriter.writeString(type.listKind, into: &out)
        out.append(contentsOf: ",\"metadata\":".utf8)
        JSONWriter.write(.object(metadata), into: &out)
        out.append(contentsOf: ",\"items\":[".utf8)
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            // Stored bytes are exact unless this view renders the object differently
            // (another served version of a CRD, or the events.k8s.io view).
            if !type.isEventsV1View, item.object["apiVersion"]?.stringValue == type.apiVersion {
                out.append(contentsOf: item.bytes)
            } else {
                JSONWriter.write(render(item.object, as: type), into: &out)
            }
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }
}

/// The opaque `continue` token of a paginated list: the list's version and the last key served.
struct ContinueToken {
    var resourceVersion: UInt64
    var key: String

    init(resourceVersion: UInt64, key: String) {
        self.resourceVersion = resourceVersion
        self.key = key
    }

    init?(_ text: String) {
        guard let data = Data(base64Encoded: text), let decoded = String(data: data, encoding: .utf8) else { return nil }
        let parts = decoded.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2, let version = UInt64(parts[0]) else { return nil }
        resourceVersion = version
        key = parts[1]
    }

    var text: String { Data("\(resourceVersion)|\(key)".utf8).base64EncodedString() }
}
