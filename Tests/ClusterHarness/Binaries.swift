import Foundation

/// Where the executables the suite runs live. `kube-sim` and `cutover-controller` come from this
/// package's build products (`swift build --build-tests` builds them beside the test bundle);
/// `kubectl` and `prometheus` from the system.
package enum Binaries {
    /// A binary the suite needs is missing: the test fails (never skips) and says how to get it.
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// The build products directory: `$CUTOVER_BIN_DIR` if set, else the directory of the running
    /// test bundle (`.build/<triple>/debug`), else `.build/debug` of this checkout.
    static let productsDirectory: URL = {
        if let explicit = ProcessInfo.processInfo.environment["CUTOVER_BIN_DIR"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let running = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidates = [
            running.deletingLastPathComponent(),
            // macOS-style bundles: <products>/cutoverPackageTests.xctest/Contents/MacOS/<exe>
            running.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent(),
            repositoryRoot.appendingPathComponent(".build/debug"),
        ]
        return candidates.first {
            FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("kube-sim").path)
        } ?? candidates[0]
    }()

    /// The checkout this file belongs to (for `crds/` and `manifests/`).
    package static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func kubeSim() throws -> String { try product("kube-sim") }
    package static func controller() throws -> String { try product("cutover-controller") }
    static func fuzz() throws -> String { try product("cutover-fuzz") }
    static func chaos() throws -> String { try product("cutover-chaos") }

    private static func product(_ name: String) throws -> String {
        let path = productsDirectory.appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Missing(
                description: "the \(name) binary is missing from \(productsDirectory.path); build it with "
                    + "`swift build --build-tests` (or `swift build --product \(name)`), or point CUTOVER_BIN_DIR at "
                    + "the directory that holds it")
        }
        return path
    }

    package static func kubectl() throws -> String {
        try system("kubectl", hint: "install kubectl v1.30 or newer; the end-to-end tests drive the releases with it")
    }

    static func prometheus() throws -> String {
        try system("prometheus", hint: "install Debian's prometheus (`apt-get install -y prometheus`), or run hack/test.sh, which does")
    }

    private static func system(_ name: String, hint: String) throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(name)" }
        guard let found = (["/usr/bin/\(name)"] + path).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Missing(description: "the \(name) binary is not installed (looked in /usr/bin and on PATH): \(hint)")
        }
        return found
    }
}
