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
