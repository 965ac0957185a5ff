/// Durations as the spec writes them: `0`, or one or more `<digits><unit>` with unit `h`, `m`
/// or `s` (`30s`, `5m`, `1h30m`). Fractions and other units are refused so every tool reads
/// the same text the same way.
public enum DurationText {
    /// The pattern the CRD schema enforces; kept identical to ``seconds(_:)``.
    public static let pattern = "^(0|([0-9]+(h|m|s))+)$"

    /// The duration in whole seconds, or `nil` if `text` is not a duration.
    public static func seconds(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        var total: Int64 = 0
        var digits: Int64 = 0
        var sawDigit = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let (times, overflow1) = digits.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - 48))
                guard !overflow1, !overflow2 else { return nil }
                digits = sum
                sawDigit = true
            case UInt8(ascii: "h"), UInt8(ascii: "m"), UInt8(ascii: "s"):
                guard sawDigit else { return nil }
                let unit: Int64 = byte == UInt8(ascii: "h") ? 3600 : byte == UInt8(ascii: "m") ? 60 : 1
                let (part, overflow1) = digits.multipliedReportingOverflow(by: unit)
                let (sum, overflow2) = total.addingReportingOverflow(part)
                guard !overflow1, !overflow2 else { return nil }
                total = sum
                digits = 0
                sawDigit = false
            default:
                return nil
            }
        }
        guard !text.isEmpty, !sawDigit else { return nil }
        return total
    }

    /// `90` → `1m30s`, `0` → `0s`: the shortest text that parses back to `seconds`.
    public static func format(_ seconds: Int64) -> String {
        if seconds <= 0 { return "0s" }
        var text = ""
        let hours = seconds / 3600, minutes = seconds / 60 % 60, rest = seconds % 60
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        if rest > 0 { text += "\(rest)s" }
        return text
    }
}
