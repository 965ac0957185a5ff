/// Numbers as Cutover writes them in messages, Events, notifications and the plugin's output.
public enum NumberText {
    /// `value` rounded to 4 significant digits (`0.2418`, `1235.0`); whole numbers without a
    /// fraction (`3`); `NaN`, `+Inf` and `-Inf` as Prometheus spells them.
    public static func short(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        var scale = 1.0
        var magnitude = abs(value)
        while magnitude < 1000, scale < 1e12 {
            magnitude *= 10
            scale *= 10
        }
        return "\((value * scale).rounded() / scale)"
    }
}
