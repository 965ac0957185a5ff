// What more than one benchmark needs: output, the release-built controller, KubeSim's request counts.
import Foundation
import KubeSim

/// Writes a line at once (print is block-buffered when the output is a file).
public func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

/// The release-built cutover-controller: `$CONTROLLER`, else the one `swift build -c release
/// --package-path hack/benchmarks --product cutover-controller` made (run from the repository).
public func controllerPath() -> String {
    if let path = ProcessInfo.processInfo.environment["CONTROLLER"] { return path }
    let candidates = ["hack/benchmarks/.build/release/cutover-controller", ".build/release/cutover-controller"]
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        fatalError("no release cutover-controller; build it: swift build -c release --package-path hack/benchmarks --product cutover-controller")
    }
    return found
}

/// Requests made to `sim` from outside the simulator (a controller's, kubectl's), by "verb
/// resource", from its counters (`GET /sim/stats`; the simulator's own requests are not counted).
public func requestCounts(_ sim: KubeSim) async -> [String: Int64] {
    let (_, body) = await sim.request("GET", "/sim/stats")
    var counts: [String: Int64] = [:]
    for entry in body["requests"]?.arrayValue ?? [] {
        let key = "\(entry["verb"]?.stringValue ?? "?") \(entry["resource"]?.stringValue ?? "?")"
        counts[key, default: 0] += entry["count"]?.intValue ?? 0
    }
    return counts
}
