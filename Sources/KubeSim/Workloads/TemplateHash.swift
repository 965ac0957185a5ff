import KubeModels

/// The `pod-template-hash` of a pod template: a 32-bit FNV-1a hash of its canonical JSON, written
/// with the consonant-and-digit alphabet Kubernetes uses for generated names so it never spells a word.
enum TemplateHash {
    /// Letters and digits Kubernetes uses for generated name suffixes (no vowels, no look-alikes).
    static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func of(template: JSONValue) -> String {
        encode(String(fnv1a32(Array(template.canonicalJSON.utf8))))
    }

    /// Maps each character of `text` into ``alphabet``, as Kubernetes does for the decimal hash.
    static func encode(_ text: String) -> String {
        String(text.utf8.map { alphabet[Int($0) % alphabet.count] })
    }

    static func fnv1a32(_ bytes: [UInt8]) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes {
            hash ^= UInt32(byte)
            hash &*= 16_777_619
        }
        return hash
    }

    /// `count` random characters from ``alphabet``: the suffix of a generated pod name.
    static func randomSuffix(count: Int = 5, using random: inout SeededGenerator) -> String {
        String((0..<count).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
    }
}
