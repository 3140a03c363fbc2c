/// An instant as whole seconds since 1970-01-01T00:00:00Z, written as ISO-8601 UTC text
/// (`2026-01-14T09:00:00Z`). Virtual clocks and seeded data use it instead of `Date`, so nothing
/// depends on the machine's clock or time zone.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Int64

    public init(seconds: Int64) {
        self.seconds = seconds
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.seconds < rhs.seconds }

    public func adding(seconds delta: Int64) -> Timestamp { Timestamp(seconds: seconds + delta) }

    public var description: String { iso8601 }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public var iso8601: String {
        let days = Int64((Double(seconds) / 86_400).rounded(.down))
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        var out = [UInt8]()
        out.reserveCapacity(20)
        func put(_ value: Int64, width: Int) {
            var digits = [UInt8](repeating: 0x30, count: width)
            var v = value
            for i in stride(from: width - 1, through: 0, by: -1) { digits[i] = UInt8(0x30 + v % 10); v /= 10 }
            out.append(contentsOf: digits)
        }
        put(year, width: 4); out.append(UInt8(ascii: "-"))
        put(month, width: 2); out.append(UInt8(ascii: "-"))
        put(day, width: 2); out.append(UInt8(ascii: "T"))
        put(secondOfDay / 3600, width: 2); out.append(UInt8(ascii: ":"))
        put(secondOfDay / 60 % 60, width: 2); out.append(UInt8(ascii: ":"))
        put(secondOfDay % 60, width: 2); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH|±HHMM|±HH:MM]` (fractions are dropped), or a date alone.
    public init?(iso8601 text: String) {
        let b = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var value: Int64 = 0
            for i in from..<(from + count) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                value = value * 10 + Int64(b[i] - 0x30)
            }
            return value
        }
        guard let year = number(0, 4), b.count >= 10, b[4] == UInt8(ascii: "-"), let month = number(5, 2),
              b[7] == UInt8(ascii: "-"), let day = number(8, 2), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, offset: Int64 = 0
        var i = 10
        if i < b.count {
            guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " "), let h = number(i + 1, 2),
                  i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), let m = number(i + 4, 2) else { return nil }
            hour = h; minute = m; i += 6
            if i < b.count, b[i] == UInt8(ascii: ":") {
                guard let s = number(i + 1, 2) else { return nil }
                second = s; i += 3
                if i < b.count, b[i] == UInt8(ascii: ".") {
                    i += 1
                    while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
                }
            }
            if i < b.count {
                if b[i] == UInt8(ascii: "Z") { i += 1 }
                else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                    // ±HH, ±HHMM or ±HH:MM, as Postgres reads them.
                    guard let oh = number(i + 1, 2), oh <= 15 else { return nil }
                    var om: Int64 = 0
                    var end = i + 3
                    if end < b.count {
                        let colon = b[end] == UInt8(ascii: ":") ? 1 : 0
                        guard let minutes = number(end + colon, 2), minutes < 60 else { return nil }
                        om = minutes
                        end += colon + 2
                    }
                    offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
                    i = end
                } else { return nil }
            }
            guard i == b.count, hour < 24, minute < 60, second < 60 else { return nil }
        }
        let days = Self.days(fromCivil: year, month, day)
        guard Self.civil(fromDays: days) == (year, month, day) else { return nil }
        seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

/// Durations as scenarios and the CLI write them: `90s`, `15m`, `25h`, `2d`, `1h30m`.
public enum DurationText {
    /// The longest duration a scenario may move the clock by: ten years keeps every virtual
    /// time a four-digit year, and the arithmetic far from overflow.
    public static let maximumSeconds: Int64 = 3650 * 86_400

    /// `90s`, `15m`, `25h`, `2d`, `1w`, combined as `1h30m`; nil when the text is not one, or
    /// longer than `maximumSeconds`.
    public static func seconds(_ text: String) -> Int64? {
        var total: Int64 = 0
        var number: Int64?
        var sawUnit = false
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                number = (number ?? 0) * 10 + Int64(digit)
                // Checked as digits arrive, so that no text can overflow the arithmetic.
                if number! > maximumSeconds { return nil }
                continue
            }
            guard let value = number else { return nil }
            switch character {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86_400
            case "w": total += value * 604_800
            default: return nil
            }
            if total > maximumSeconds { return nil }
            number = nil
            sawUnit = true
        }
        guard number == nil, sawUnit else { return nil }
        return total
    }
}
