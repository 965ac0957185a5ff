#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Human durations as kubectl prints ages: `45s`, `5m`, `3h10m`, `2d`.
public enum Age {
    /// `seconds` as kubectl's short age text (negative clock skew reads as `0s`).
    public static func format(seconds: Double) -> String {
        let total = Int64(max(0, seconds.rounded(.down)))
        if total < 120 { return "\(total)s" }
        let minutes = total / 60
        if minutes < 10 { return total % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(total % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        let days = hours / 24
        if days < 8 { return hours % 24 == 0 ? "\(days)d" : "\(days)d\(hours % 24)h" }
        return "\(days)d"
    }

    /// The age of something created at `date`, seen at `now`; `<unknown>` without a date, as kubectl.
    public static func since(_ date: Date?, now: Date) -> String {
        guard let date else { return "<unknown>" }
        return format(seconds: now.timeIntervalSince(date))
    }
}
