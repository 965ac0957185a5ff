import KubeModels

/// The part of kube-controller-manager's garbage collector the simulator plays (KUBE-API.md §9):
/// dependents whose owners are all gone are deleted (background), dependents of an owner being
/// deleted in the foreground go first and then release its `foregroundDeletion` finalizer, and an
/// `orphan` finalizer strips the owner's references from its dependents before it goes.
struct GarbageCollector {
    let store: ObjectStore

    /// Runs passes until nothing changes; returns how many objects it touched.
    @discardableResult
    func collect() -> Int {
        var touched = 0
        for _ in 0..<16 {
            let changed = pass()
            touched += changed
            if changed == 0 { break }
        }
        return touched
    }

    private func pass() -> Int {
        let all = store.allObjects()
        var byUID: [String: JSONValue] = [:]
        var dependents: [String: [(String, JSONValue)]] = [:]
        for (storageKey, object) in all {
            if let uid = object[path: ["metadata", "uid"]]?.stringValue { byUID[uid] = object }
            for reference in object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? [] {
                if let uid = reference["uid"]?.stringValue { dependents[uid, default: []].append((storageKey, object)) }
            }
        }
        var changed = 0
        for (storageKey, object) in all {
            let references = object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
            guard !references.isEmpty else { continue }
            var keep: [JSONValue] = []
            var missing = 0
            var orphaned = 0
            var deleteNow = false
            for reference in references {
                let uid = reference["uid"]?.stringValue ?? ""
                guard let owner = byUID[uid] else {
                    missing += 1
                    continue
                }
                let finalizers = owner[path: ["metadata", "finalizers"]]?.arrayValue ?? []
                let deleting = owner[path: ["metadata", "deletionTimestamp"]] != nil
                if deleting, finalizers.contains("orphan") {
                    orphaned += 1
                    continue
                }
                if deleting, finalizers.contains("foregroundDeletion") { deleteNow = true }
                keep.append(reference)
            }
            if deleteNow || (keep.isEmpty && missing > 0 && orphaned == 0) {
                changed += delete(storageKey, object) ? 1 : 0
            } else if keep.count != references.count {
                let remaining: JSONValue? = keep.isEmpty ? nil : .array(keep)
                changed += update(storageKey, object) { $0.set(path: ["metadata", "ownerReferences"], to: remaining) } ? 1 : 0
            }
        }
        // Owners waiting on their dependents release their GC finalizers once those are gone.
        for (storageKey, object) in all where object[path: ["metadata", "deletionTimestamp"]] != nil {
            let finalizers = object[path: ["metadata", "finalizers"]]?.arrayValue ?? []
            let uid = object[path: ["metadata", "uid"]]?.stringValue ?? ""
            let waiting = (dependents[uid] ?? []).contains { dependent in
                let stillOwned = (dependent.1[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).contains {
                    $0["uid"]?.stringValue == uid
                }
                return stillOwned && store.get(dependent.0, namespace: dependent.1[path: ["metadata", "namespace"]]?.stringValue,
                                               name: dependent.1[path: ["metadata", "name"]]?.stringValue ?? "") != nil
            }
            guard !waiting else { continue }
            let remaining = finalizers.filter { $0 != "orphan" && $0 != "foregroundDeletion" }
            guard remaining.count != finalizers.count else { continue }
            changed += update(storageKey, object) {
                $0.set(path: ["metadata", "finalizers"], to: remaining.isEmpty ? Optional<JSONValue>.none : .array(remaining))
            } ? 1 : 0
        }
        return changed
    }

    /// Deletes a dependent, or marks it for deletion when it has finalizers of its own.
    private func delete(_ storageKey: String, _ object: JSONValue) -> Bool {
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        let namespace = object[path: ["metadata", "namespace"]]?.stringValue
        let uid = object[path: ["metadata", "uid"]]
        let result = try? store.mutate(storageKey, namespace: namespace, name: name) { current in
            guard var current, current[path: ["metadata", "uid"]] == uid else { return .keep }
            if (current[path: ["metadata", "finalizers"]]?.arrayValue ?? []).isEmpty { return .delete }
            if current[path: ["metadata", "deletionTimestamp"]] != nil { return .keep }
            current.set(path: ["metadata", "deletionTimestamp"], to: .string(APIServer.now()))
            current.set(path: ["metadata", "deletionGracePeriodSeconds"], to: 0)
            return .put(current)
        }
        return result != nil
    }

    private func update(_ storageKey: String, _ object: JSONValue, _ change: (inout JSONValue) -> Void) -> Bool {
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        let namespace = object[path: ["metadata", "namespace"]]?.stringValue
        let uid = object[path: ["metadata", "uid"]]
        let result = try? store.mutate(storageKey, namespace: namespace, name: name) { current in
            guard var current, current[path: ["metadata", "uid"]] == uid else { return .keep }
            change(&current)
            let finalizers = current[path: ["metadata", "finalizers"]]?.arrayValue ?? []
            if current[path: ["metadata", "deletionTimestamp"]] != nil, finalizers.isEmpty { return .delete }
            return .put(current)
        }
        return result != nil
    }
}
