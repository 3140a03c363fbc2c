/// The one-line progress a long command shows on a terminal (`seed`, `check` on staging or
/// production data): how far, the rate, the time left. Pure: the caller measures the time.
public enum ProgressLine {
    public static func format(done: Int, total: Int, unit: String, seconds: Double, detail: String = "") -> String {
        let percent = total > 0 ? done * 100 / total : 100
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let left = rate > 0 ? Double(total - done) / rate : 0
        var line = "\(grouped(done))/\(grouped(total)) \(unit) (\(percent)%)"
        if !detail.isEmpty { line += " · \(detail)" }
        if rate > 0 { line += " · \(grouped(Int(rate))) \(unit)/s · \(done < total ? "\(Int(left.rounded(.up))) s left" : "done")" }
        return line
    }

    /// 1234567 → "1,234,567".
    public static func grouped(_ value: Int) -> String {
        let digits = Array(String(abs(value)))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }
}
