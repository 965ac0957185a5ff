import Cutover

/// Durations on the command line, written as in the spec (`90s`, `15m`, `1h30m`, `0`).
public enum DurationParsing {
    /// Whole seconds, or `nil` when `text` is not a duration.
    public static func seconds(_ text: String) -> Int64? { DurationText.seconds(text) }
}
