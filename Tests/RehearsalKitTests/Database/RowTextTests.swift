import GRDB
import Testing
@testable import RehearsalKit

/// Values read as text whatever their storage class: a number as SQL writes it, so what the
/// PII scanner reads of a REAL is what `psql` or a CAST would show.
@Suite struct RowTextTests {
    @Test func everyStorageClassReadsAsSQLiteWritesIt() throws {
        try DatabaseOpener.open(path: nil).read { db in
            let values = ["4111111111111111.0", "7.0", "-7.5", "0.1", "1e-7", "1e300 * 1e10", "-1e300 * 1e10", "123456789012345678.0", "0.0", "2.5e-300", "1e15", "1e16",
                          "42", "-9223372036854775808", "'text'", "NULL", "x'6869'"]
            for value in values {
                let row = try #require(try Row.fetchOne(db, sql: "SELECT \(value), CAST(\(value) AS TEXT)"))
                #expect(row.text(atIndex: 0) == row[1] as String?, "\(value)")
            }
            let row = try #require(try Row.fetchOne(db, sql: "SELECT 'a', x'c3a9', x'ff', 7, NULL"))
            #expect((0..<5).map { row.isText(atIndex: $0) } == [true, true, false, false, false])
            #expect(row.text("missing") == nil)
        }
    }
}
