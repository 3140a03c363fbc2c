/// Reads one revision file: `-- key: value` header lines, then `-- migrate:upgrade` and
/// `-- migrate:downgrade` sections of SQL.
enum RevisionParser {
    static let upgradeMarker = "-- migrate:upgrade"
    static let downgradeMarker = "-- migrate:downgrade"
    static let headerKeys: Set<String> = ["revision", "down_revision", "message"]

    static func parse(text: String, path: String, fileStem: String) throws -> Revision {
        func malformed(_ line: Int, _ column: Int = 1, _ reason: String) -> MigrationError {
            .malformedFile(location: SourceLocation(file: path, line: line, column: column), reason: reason)
        }
        if text.trimmingWhitespace().isEmpty { throw malformed(1, 1, "empty revision file") }
        let lines = TextLines.split(text)
        var header: [String: String] = [:]
        var headerLines: [String: Int] = [:]
        var upgradeLine: Int?
        var downgradeLine: Int?
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingWhitespace()
            let number = index + 1
            if line == upgradeMarker {
                if upgradeLine != nil { throw malformed(number, 1, "second '\(upgradeMarker)' section") }
                upgradeLine = number
                continue
            }
            if line == downgradeMarker {
                if downgradeLine != nil { throw malformed(number, 1, "second '\(downgradeMarker)' section") }
                if upgradeLine == nil { throw malformed(number, 1, "'\(downgradeMarker)' comes before '\(upgradeMarker)'") }
                downgradeLine = number
                continue
            }
            // Header lines are the `-- key: value` comments before the upgrade section.
            guard upgradeLine == nil, line.hasPrefix("--") else { continue }
            let body = line.dropFirst(2).trimmingWhitespace()
            guard let colon = body.firstIndex(of: ":") else { continue }
            let key = String(body[..<colon])
            guard key.allSatisfy({ $0.isLetter || $0 == "_" }) else { continue }
            guard headerKeys.contains(key) else {
                // Free-form comments ("-- Reconstructed: ...") are allowed; only snake_case keys are headers.
                if key == key.lowercased() && !key.contains(" ") && key.contains("_") {
                    throw malformed(number, 4, "unknown header '\(key)' (expected revision, down_revision or message)")
                }
                continue
            }
            if headerLines[key] != nil { throw malformed(number, 4, "duplicate header '\(key)'") }
            header[key] = String(body[body.index(after: colon)...]).trimmingWhitespace()
            headerLines[key] = number
        }
        guard let id = header["revision"], !id.isEmpty else { throw malformed(1, 1, "missing '-- revision: ID' header") }
        guard id == fileStem else {
            throw malformed(headerLines["revision"] ?? 1, 14, "revision id '\(id)' does not match the file name '\(fileStem).sql'")
        }
        guard header["down_revision"] != nil else {
            throw malformed(1, 1, "missing '-- down_revision:' header (leave it empty for the base revision)")
        }
        guard let upgradeStart = upgradeLine else { throw malformed(lines.count, 1, "missing '\(upgradeMarker)' section") }
        guard let downgradeStart = downgradeLine else { throw malformed(lines.count, 1, "missing '\(downgradeMarker)' section") }
        let upgradeText = lines[upgradeStart..<(downgradeStart - 1)].joined(separator: "\n")
        let downgradeText = lines[downgradeStart...].joined(separator: "\n")
        let upgrade = SQLScript.statements(in: upgradeText, firstLine: upgradeStart + 1)
        let downgrade = SQLScript.statements(in: downgradeText, firstLine: downgradeStart + 1)
        if upgrade.isEmpty { throw malformed(upgradeStart, 1, "the upgrade section has no SQL statement") }
        if downgrade.isEmpty { throw malformed(downgradeStart, 1, "the downgrade section has no SQL statement") }
        let down = header["down_revision"].flatMap { $0.isEmpty ? nil : $0 }
        return Revision(
            id: id, downRevision: down, message: header["message"] ?? "", path: path,
            upgrade: upgrade, downgrade: downgrade, checksum: SHA256.hex(text))
    }
}
