import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Why no free loopback port could be found (a socket call failed).
public struct FreePortError: Error, CustomStringConvertible {
    public var description: String
}

/// A TCP port on 127.0.0.1 that nobody listens on right now, for the servers and processes tests
/// start (the port is free when returned; the caller binds it a moment later).
///
/// Chosen at random below the kernel's ephemeral range: a port the kernel handed out for port 0
/// is in that range, and between its release and the caller's bind another test's outgoing
/// connection or port-0 listener may be given it (seen as `Address already in use` in CI, with
/// many suites starting processes at once). Below the range only another caller of this
/// function could take it, and the random pick makes that rare.
public func freeLoopbackPort() throws -> Int {
    let ephemeralStart = ephemeralPortRangeStart()
    let low = 10_000, high = max(low + 1_000, ephemeralStart)
    for _ in 0..<200 {
        let port = Int.random(in: low..<high)
        if try canBind(port) { return port }
    }
    throw FreePortError(description: "no free port in \(low)..<\(high) after 200 tries")
}

/// The first port of `net.ipv4.ip_local_port_range` (32768 when it cannot be read).
private func ephemeralPortRangeStart() -> Int {
    let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
    return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
}

/// Whether a listener could bind 127.0.0.1:`port` now.
private func canBind(_ port: Int) throws -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw FreePortError(description: "socket() failed") }
    defer { close(fd) }
    var reuse: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let length = socklen_t(MemoryLayout<sockaddr_in>.size)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    } == 0
}
