import Foundation
import Testing
@testable import RehearsalKit

/// `seed` and `check` show progress on a terminal and nothing in a pipe.
@Suite struct ProgressTests {
    @Test func theLineSaysHowFarTheRateAndTheTimeLeft() {
        #expect(ProgressLine.grouped(1_234_567) == "1,234,567" && ProgressLine.grouped(999) == "999" && ProgressLine.grouped(-1000) == "-1,000")
        #expect(ProgressLine.format(done: 2_000, total: 8_000, unit: "signals", seconds: 2, detail: "audit_events 7,000")
                == "2,000/8,000 signals (25%) · audit_events 7,000 · 1,000 signals/s · 6 s left")
        #expect(ProgressLine.format(done: 8_000, total: 8_000, unit: "signals", seconds: 4) == "8,000/8,000 signals (100%) · 2,000 signals/s · done")
        #expect(ProgressLine.format(done: 0, total: 19, unit: "invariants", seconds: 0) == "0/19 invariants (0%)")
    }

    @Test func nothingIsPrintedWhenStandardErrorIsNotATerminal() throws {
        let db = try makeTemporaryDirectory().appendingPathComponent("p.db").path
        #expect(try runRehearse(["migrate", "upgrade", "head", "--db", db]).status == 0)
        let seed = try runRehearse(["seed", "--db", db])
        #expect(seed.status == 0 && seed.stderr.isEmpty, "\(seed.stderr)")
        let check = try runRehearse(["check", "--db", db])
        #expect(check.status == 0 && check.stderr.isEmpty, "\(check.stderr)")
    }

    /// Under a pseudo-terminal (util-linux `script`), the progress line is there.
    @Test(.enabled(if: OptionalTool.has("script"), "needs script (util-linux) on PATH"))
    func aTerminalSeesTheProgress() throws {
        let db = try makeTemporaryDirectory().appendingPathComponent("p.db").path
        #expect(try runRehearse(["migrate", "upgrade", "head", "--db", db]).status == 0)
        let binary = packageRoot.appendingPathComponent(".build/debug/rehearse").path
        let seeded = try ChildProcess.run(OptionalTool.path("script")!, ["-qec", "\(binary) seed --db \(db)", "/dev/null"])
        #expect(seeded.stdout.contains("signals (100%)") && seeded.stdout.contains("audit_events "), "\(seeded.stdout)")
        let checked = try ChildProcess.run(OptionalTool.path("script")!, ["-qec", "\(binary) check --db \(db)", "/dev/null"])
        #expect(checked.stdout.contains("invariants (") && checked.stdout.contains("invariants/s"), "\(checked.stdout)")
        let quiet = try ChildProcess.run(OptionalTool.path("script")!, ["-qec", "\(binary) check --quiet --db \(db)", "/dev/null"])
        #expect(!quiet.stdout.contains("invariants ("))
    }
}
