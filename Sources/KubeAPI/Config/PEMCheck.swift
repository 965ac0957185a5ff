import Foundation
import KubeModels
import NIOSSL

/// Reads and checks the PEM material a configuration names, so a broken certificate is reported
/// at load time with the field it came from rather than as a TLS handshake failure later.
enum PEMCheck {
    static func absolute(_ path: String, relativeTo file: String) -> String {
        if path.hasPrefix("/") { return path }
        let directory = (file as NSString).deletingLastPathComponent
        return directory.isEmpty ? path : "\(directory)/\(path)"
    }

    static func read(relativeTo file: String, path: String, field: String) throws -> [UInt8] {
        let full = absolute(path, relativeTo: file)
        guard let data = FileManager.default.contents(atPath: full) else {
            throw ConfigError.unreadableFile(path: full, field: field, reason: "no such readable file")
        }
        return Array(data)
    }

    static func decodeBase64(_ text: String, entry: String, field: String) throws -> [UInt8] {
        let cleaned = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: cleaned) else {
            throw ConfigError.invalidField(entry: entry, field: field, reason: "not valid base64")
        }
        return Array(data)
    }

    static func certificates(base64: String, entry: String, field: String) throws -> [UInt8] {
        try certificates(pem: decodeBase64(base64, entry: entry, field: field), entry: entry, field: field)
    }

    static func certificates(pem: [UInt8], entry: String, field: String) throws -> [UInt8] {
        _ = try parsed(pem: pem, entry: entry, field: field)
        return pem
    }

    /// A client certificate: PEM, and valid now. An expired one would only ever get `401
    /// Unauthorized` from the API server, which does not say why.
    static func clientCertificate(pem: [UInt8], entry: String, field: String, now: Date = Date()) throws -> [UInt8] {
        let leaf = try parsed(pem: pem, entry: entry, field: field)[0]
        let notAfter = Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter))
        let notBefore = Date(timeIntervalSince1970: TimeInterval(leaf.notValidBefore))
        if notAfter < now {
            throw ConfigError.invalidField(entry: entry, field: field, reason: "the certificate expired at \(Timestamp(notAfter)); renew it")
        }
        if notBefore > now {
            throw ConfigError.invalidField(entry: entry, field: field, reason: "the certificate is not valid before \(Timestamp(notBefore))")
        }
        return pem
    }

    /// The certificates in `pem`, at least one.
    private static func parsed(pem: [UInt8], entry: String, field: String) throws -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(pem)
        } catch {
            throw ConfigError.invalidField(entry: entry, field: field, reason: "not a PEM certificate (\(error))")
        }
        guard !certificates.isEmpty else {
            throw ConfigError.invalidField(entry: entry, field: field, reason: "contains no PEM certificate")
        }
        return certificates
    }

    static func privateKey(base64: String, entry: String, field: String) throws -> [UInt8] {
        try privateKey(pem: decodeBase64(base64, entry: entry, field: field), entry: entry, field: field)
    }

    static func privateKey(pem: [UInt8], entry: String, field: String) throws -> [UInt8] {
        do {
            _ = try NIOSSLPrivateKey(bytes: pem, format: .pem)
        } catch {
            throw ConfigError.invalidField(entry: entry, field: field, reason: "not a PEM private key (\(error))")
        }
        return pem
    }
}
