import CutoverCLI
import KubeAPI

// Process, to start the browser.
import Foundation

/// `kubectl cutover dashboard`: watches the scope with the user's credentials and serves the page
/// until interrupted; prints the address and opens it in a browser where there is one.
public enum DashboardCommand {
    public static func run(
        scope: DashboardScope, server configuration: DashboardServer.Configuration, openBrowser: Bool, context: CLIContext
    ) async throws {
        let feed = ClusterFeed(client: context.client, scope: scope)
        let server = DashboardServer(feed: feed, client: context.client, configuration: configuration, now: context.now)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await feed.run() }
            group.addTask {
                try await server.run { port in
                    let url = "http://\(ListenHost.urlHost(configuration.host)):\(port)/"
                    let mode = configuration.allowActions ? "actions allowed" : "read-only"
                    context.console.print("Cutover dashboard for \(scope) (\(mode)): \(url)")
                    if !ListenHost.isLoopback(configuration.host) {
                        context.console.printError(
                            "warning: listening on \(configuration.host): whoever reaches port \(port) reads what your kubeconfig may read\(configuration.allowActions ? " and, with the page's token, acts with it" : "")")
                    }
                    context.console.print("Press Ctrl-C to stop.")
                    if openBrowser { Browser.open(url) }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

}

/// Opens a URL in the desktop's browser, where there is a desktop: `open` on macOS, `xdg-open`
/// under X11 or Wayland; otherwise nothing (the address is printed either way).
enum Browser {
    static func open(_ url: String) {
        let environment = ProcessInfo.processInfo.environment
        #if os(macOS)
        let opener = "/usr/bin/open"
        #else
        guard environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil else { return }
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/xdg-open" }
        guard let opener = path.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return }
        #endif
        let process = Process()
        process.executableURL = URL(fileURLWithPath: opener)
        process.arguments = [url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }
}
