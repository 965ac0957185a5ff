import Foundation

/// How `cutover-controller` is started by the tests and the hack/ programs: as a child process with
/// its health and metrics on free ports, its log in `directory`, and leader election when asked.
package enum ControllerProcess {
    /// Leader election flags; short, so a takeover fits in a fast test.
    package struct LeaderElection: Sendable {
        package var leaseNamespace = "cutover-system"
        package var leaseName = "cutover-controller"
        package var leaseDuration = 4.0
        package var renewDeadline = 3.0
        package var retryPeriod = 0.5
        /// `--shards`: above 1, every replica acts on its share of the shards.
        package var shards = 1
        package init() {}

        var arguments: [String] {
            [
                "--leader-elect", "on", "--lease-namespace", leaseNamespace, "--lease-name", leaseName,
                "--lease-duration", "\(leaseDuration)", "--renew-deadline", "\(renewDeadline)", "--retry-period", "\(retryPeriod)",
            ] + (shards > 1 ? ["--shards", "\(shards)"] : [])
        }
    }

    /// Starts the controller named `name` (its `POD_NAME`, so its leader identity is
    /// `<name>_<random>`), logging to `<directory>/<name>.log`.
    package static func start(
        _ name: String, binary: String? = nil, kubeconfig: URL, leaderElection: LeaderElection? = nil, logLevel: String = "info",
        in directory: URL
    ) throws -> ChildProcess {
        var arguments = [
            "--kubeconfig", kubeconfig.path, "--health-address", "127.0.0.1:0", "--metrics-address", "127.0.0.1:0", "--log-level", logLevel,
        ]
        arguments += leaderElection?.arguments ?? ["--leader-elect", "off"]
        return try ChildProcess.start(
            name: name, executable: try binary ?? Binaries.controller(), arguments: arguments, environment: ["POD_NAME": name],
            logFile: directory.appendingPathComponent("\(name).log"))
    }
}
