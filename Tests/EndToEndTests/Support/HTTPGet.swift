import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Plain-HTTP GETs on loopback (Prometheus' readiness and query API).
enum HTTPGet {
    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 5
        return URLSession(configuration: configuration)
    }()

    static func status(of url: String) async throws -> Int {
        let (_, response) = try await session.data(from: URL(string: url)!)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    static func body(of url: String) async throws -> Data {
        let (data, response) = try await session.data(from: URL(string: url)!)
        let code = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard code == 200 else { throw Failed(description: "GET \(url) answered \(code): \(String(decoding: data, as: UTF8.self))") }
        return data
    }
}

/// A TCP port on 127.0.0.1 that nobody listens on right now.
enum FreePort {
    static func find() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPGet.Failed(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw HTTPGet.Failed(description: "bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw HTTPGet.Failed(description: "getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
