/// Which namespaces a dashboard shows: all of them (`-A`), or the ones named with `-n a,b`.
public enum DashboardScope: Sendable, Hashable, CustomStringConvertible {
    /// Every namespace the user may read: one cluster-wide watch, or, when RBAC refuses that, one
    /// watch per namespace the user may list, leaving out those it refuses.
    case allNamespaces
    /// These namespaces, each with its own watch.
    case namespaces([String])

    /// `-n a,b,c` (commas, blanks ignored; each name once, in order).
    public static func parse(_ list: String) -> DashboardScope {
        var seen = Set<String>()
        let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && seen.insert($0).inserted }
        return .namespaces(names)
    }

    public var description: String {
        switch self {
        case .allNamespaces: return "all namespaces"
        case .namespaces(let names): return names.count == 1 ? "namespace \(names[0])" : "namespaces \(names.joined(separator: ", "))"
        }
    }
}
