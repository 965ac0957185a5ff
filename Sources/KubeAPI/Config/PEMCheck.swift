import Foundation
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
        do {
            let parsed = try NIOSSLCertificate.fromPEMBytes(pem)
            guard !parsed.isEmpty else {
                throw ConfigError.invalidField(entry: entry, field: field, reason: "contains no PEM certificate")
            }
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError.invalidField(entry: entry, field: field, reason: "not a PEM certificate (\(error))")
        }
        return pem
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
