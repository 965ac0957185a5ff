import KubeModels

extension JSONValue {
    /// Sets the value at a path of object keys, creating intermediate objects.
    mutating func set(path: [String], to value: JSONValue?) {
        guard let head = path.first else {
            if let value { self = value }
            return
        }
        var members = objectValue ?? [:]
        if path.count == 1 {
            members[head] = value
        } else {
            var child = members[head] ?? .object([:])
            if child.objectValue == nil { child = .object([:]) }
            child.set(path: Array(path.dropFirst()), to: value)
            members[head] = child
        }
        self = .object(members)
    }
}
