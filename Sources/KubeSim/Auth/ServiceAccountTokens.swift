import Crypto
import Foundation
import KubeModels

/// Issues and verifies service-account tokens (the TokenRequest API). Tokens are JWTs with the
/// claims a real API server puts in bound tokens (`sub`, `aud`, `exp`, `kubernetes.io`), signed
/// with HMAC-SHA256 under a key made at start, so verification needs no stored state and a token
/// from another simulator (or an earlier run) is rejected.
struct ServiceAccountTokens: Sendable {
    /// What a verified token says.
    struct Claims: Sendable, Hashable {
        var namespace: String
        var serviceAccount: String
        var uid: String
        var expires: Date
    }

    static let issuer = "https://kubernetes.default.svc.cluster.local"
    /// The signing key's bytes (`SymmetricKey` is not Sendable, so it is rebuilt per use).
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    init() {
        keyBytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// A signed token for `namespace/name` valid until `expires`.
    func mint(namespace: String, name: String, uid: String, audiences: [String], issued: Date, expires: Date) -> String {
        let header: JSONValue = ["alg": "HS256", "typ": "JWT", "kid": "kube-sim"]
        let payload: JSONValue = [
            "aud": .array(audiences.map(JSONValue.string)), "iss": .string(Self.issuer),
            "iat": .int(Int64(issued.timeIntervalSince1970)), "nbf": .int(Int64(issued.timeIntervalSince1970)),
            "exp": .int(Int64(expires.timeIntervalSince1970)),
            "sub": .string("system:serviceaccount:\(namespace):\(name)"),
            "kubernetes.io": [
                "namespace": .string(namespace), "serviceaccount": ["name": .string(name), "uid": .string(uid)],
            ],
        ]
        let signingInput = Self.base64URL(JSONWriter.bytes(header)) + "." + Self.base64URL(JSONWriter.bytes(payload))
        let signature = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: key)
        return signingInput + "." + Self.base64URL(Array(signature))
    }

    /// The claims of `token` when this server signed it and it has not expired at `now`; else nil.
    func verify(_ token: String, now: Date) -> Claims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = Self.decodeBase64URL(String(parts[2])) else { return nil }
        let signingInput = Array("\(parts[0]).\(parts[1])".utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key),
            let payloadBytes = Self.decodeBase64URL(String(parts[1])),
            let payload = try? JSONParser.parse(payloadBytes),
            let expiry = payload["exp"]?.intValue,
            let namespace = payload[path: ["kubernetes.io", "namespace"]]?.stringValue,
            let name = payload[path: ["kubernetes.io", "serviceaccount", "name"]]?.stringValue
        else { return nil }
        let expires = Date(timeIntervalSince1970: TimeInterval(expiry))
        guard expires > now else { return nil }
        let uid = payload[path: ["kubernetes.io", "serviceaccount", "uid"]]?.stringValue ?? ""
        return Claims(namespace: namespace, serviceAccount: name, uid: uid, expires: expires)
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}

extension ResourceType {
    /// Core ServiceAccounts have the `token` subresource (the TokenRequest API).
    var servesTokenRequests: Bool { group.isEmpty && plural == "serviceaccounts" }
}
