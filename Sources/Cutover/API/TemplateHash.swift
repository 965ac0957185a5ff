import KubeModels

/// The revision name of a pod template: FNV-1a 64 over the template's canonical JSON (plus the
/// collision count when non-zero), written as 10 characters of a vowel-free lower-case alphabet so
/// it is DNS-safe and never spells a word. The same template always gives the same hash, in every
/// process and every version: golden tests pin it.
public enum TemplateHash {
    /// The alphabet of the hash text (27 characters, no vowels, no `0`/`1`/`3` look-alikes).
    public static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
    /// Characters in a hash.
    public static let length = 10

    /// The hash of `template` after a `collisionCount` of collisions.
    public static func of(_ template: PodTemplateSpec, collisionCount: Int32 = 0) -> String {
        of(canonicalJSON: canonicalJSON(of: template), collisionCount: collisionCount)
    }

    /// The hash of a template already in its ``canonicalJSON(of:)`` form.
    public static func of(canonicalJSON text: String, collisionCount: Int32 = 0) -> String {
        encode(fnv1a64(collisionCount > 0 ? text + "#\(collisionCount)" : text))
    }

    /// The hashed form of a template: `{"metadata":{"annotations":..,"labels":..},"spec":..}` with
    /// only the parts present, in canonical JSON. Other metadata fields never affect pods.
    public static func canonicalJSON(of template: PodTemplateSpec) -> String {
        json(of: template).canonicalJSON
    }

    /// The template as a ``JSONValue`` in the form that is hashed.
    static func json(of template: PodTemplateSpec) -> JSONValue {
        var metadata: [String: JSONValue] = [:]
        if let labels = template.metadata?.labels, !labels.isEmpty {
            metadata["labels"] = .object(labels.mapValues { .string($0) })
        }
        if let annotations = template.metadata?.annotations, !annotations.isEmpty {
            metadata["annotations"] = .object(annotations.mapValues { .string($0) })
        }
        var object: [String: JSONValue] = [:]
        if !metadata.isEmpty { object["metadata"] = .object(metadata) }
        if let spec = template.spec { object["spec"] = spec }
        return .object(object)
    }

    /// 64-bit FNV-1a over the UTF-8 bytes of `text`.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// `length` base-27 digits of `value`, least significant first.
    static func encode(_ value: UInt64) -> String {
        var value = value
        var out = ""
        for _ in 0..<length {
            out.append(alphabet[Int(value % UInt64(alphabet.count))])
            value /= UInt64(alphabet.count)
        }
        return out
    }
}
