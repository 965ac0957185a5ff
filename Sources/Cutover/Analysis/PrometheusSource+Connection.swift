/// A key of a Secret in the Rollout's namespace.
public struct SecretKeyReference: Codable, Sendable, Hashable {
    /// The Secret's name.
    public var name: String
    /// The key inside its `data`.
    public var key: String

    public init(name: String, key: String) {
        self.name = name
        self.key = key
    }
}

/// A Secret in the Rollout's namespace.
public struct SecretReference: Codable, Sendable, Hashable {
    /// The Secret's name.
    public var name: String
    public init(name: String) { self.name = name }
}

/// One HTTP header to send.
public struct HTTPHeaderSpec: Codable, Sendable, Hashable {
    /// Header name, an HTTP token (`X-Scope-OrgID`).
    public var name: String
    /// Header value, without line breaks.
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension PrometheusSource {
    /// The default of ``timeout``, in seconds.
    public static let defaultTimeoutSeconds: Int64 = 10

    /// ``timeout`` in seconds, or the default when unset or unparsable (validation reports the latter).
    public var timeoutSeconds: Int64 {
        timeout.flatMap(DurationText.seconds).map { $0 > 0 ? $0 : Self.defaultTimeoutSeconds } ?? Self.defaultTimeoutSeconds
    }

    /// Reports problems with the connection settings (everything but `address`) under `path`.
    func validateConnection(at path: String, _ fail: (String, String) -> Void) {
        if let timeout {
            if let seconds = DurationText.seconds(timeout) {
                if seconds < 1 { fail("\(path).timeout", "must be at least 1s") }
            } else {
                fail("\(path).timeout", "must be a duration like 10s or 1m, not \"\(timeout)\"")
            }
        }
        if bearerTokenSecret != nil, basicAuthSecret != nil {
            fail("\(path).basicAuthSecret", "cannot be set together with bearerTokenSecret; choose one")
        }
        for (field, reference) in [("bearerTokenSecret", bearerTokenSecret), ("caSecret", caSecret)] {
            guard let reference else { continue }
            if reference.name.isEmpty { fail("\(path).\(field).name", "is required") }
            if reference.key.isEmpty { fail("\(path).\(field).key", "is required") }
        }
        if let basicAuthSecret, basicAuthSecret.name.isEmpty { fail("\(path).basicAuthSecret.name", "is required") }
        HTTPHeaderSpec.validate(headers ?? [], at: "\(path).headers", credentialsFrom: "bearerTokenSecret or basicAuthSecret", fail)
    }
}

extension HTTPHeaderSpec {
    /// Reports header names that are not HTTP tokens, values with line breaks, and an
    /// `Authorization` header, which must come from a Secret (`credentialsFrom` names where).
    static func validate(_ headers: [HTTPHeaderSpec], at path: String, credentialsFrom: String, _ fail: (String, String) -> Void) {
        for (index, header) in headers.enumerated() {
            let field = "\(path)[\(index)]"
            if header.name.isEmpty || !header.name.utf8.allSatisfy(Self.isTokenByte) {
                fail("\(field).name", "must be an HTTP header name (letters, digits, '-'), not \"\(header.name)\"")
            } else if header.name.lowercased() == "authorization" {
                fail("\(field).name", "Authorization is set from \(credentialsFrom), not from headers")
            }
            if header.value.utf8.contains(where: { $0 == 10 || $0 == 13 }) {
                fail("\(field).value", "must not contain line breaks")
            }
        }
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
