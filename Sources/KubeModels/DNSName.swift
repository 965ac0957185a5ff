/// The name shapes of Kubernetes' `util/validation`, without a regex engine: what object names,
/// Service names and label-like identifiers must look like. Lengths are the caller's to check
/// (the API server reports them as a separate problem). Inlinable, so each caller gets a copy
/// specialized to its string type: called generically across modules, every byte went through
/// protocol witnesses (9 % of a plan's instructions in bench-planner for three short names).
public enum DNSName {
    /// An RFC 1123 label, `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
    @inlinable public static func isRFC1123Label<Text: StringProtocol>(_ text: Text) -> Bool where Text.UTF8View: BidirectionalCollection {
        let bytes = text.utf8
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// An RFC 1123 subdomain: RFC 1123 labels joined by '.'.
    @inlinable public static func isRFC1123Subdomain<Text: StringProtocol>(_ text: Text) -> Bool where Text.SubSequence.UTF8View: BidirectionalCollection {
        text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isRFC1123Label($0) }
    }

    /// An RFC 1035 label, `[a-z]([-a-z0-9]*[a-z0-9])?`: an RFC 1123 label that starts with a letter.
    @inlinable public static func isRFC1035Label<Text: StringProtocol>(_ text: Text) -> Bool where Text.UTF8View: BidirectionalCollection {
        guard let first = text.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { return false }
        return isRFC1123Label(text)
    }

    @usableFromInline static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
