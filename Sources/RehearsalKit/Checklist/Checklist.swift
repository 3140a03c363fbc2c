import Foundation

/// A deploy checklist read from its Markdown: sections by number, the command lines of its
/// fenced `bash` blocks (`[ ]` items), the statements of its `sql` blocks, the steps of the 3.1
/// table, `# Verify:` / `# Expected:` checks, the 6.1 decision tree and the rollback plans. The
/// checklist is the program: plan C is whatever 6.4 says.
public struct Checklist: Sendable {
    public var file: String
    public var lines: [String]
    public var sections: [Section]
    public var items: [ChecklistItem]
    /// 6.1: symptom → plan id (`A`…`E`, `full`).
    public var decisionTree: [(symptom: String, plan: String)]
    /// Plan id → the section that holds its command lines.
    public var plans: [String: String]

    public struct Section: Sendable, Equatable {
        public var number: String
        public var title: String
        public var line: Int
        /// The phase number, or nil outside the phases (summary, appendices).
        public var phase: Int?
    }

    public func section(_ number: String) -> Section? { sections.first { $0.number == number } }

    public func items(in section: String) -> [ChecklistItem] { items.filter { $0.section == section } }

    /// The items of a plan, as its section lists them.
    public func planItems(_ plan: String) -> [ChecklistItem]? {
        plans[plan].map { items(in: $0).filter(\.isRunnable) }
    }

    /// Plan ids in the order the checklist gives them.
    public var planIds: [String] {
        plans.sorted { sectionOrder($0.value).lexicographicallyPrecedes(sectionOrder($1.value)) }.map(\.key)
    }

    func sectionOrder(_ number: String) -> [Int] { number.split(separator: ".").map { Int($0) ?? 0 } }
}

/// One thing the checklist asks the operator to do or check.
public struct ChecklistItem: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A command line of a `bash` block.
        case command(String)
        /// A statement of a `sql` block, run as psql runs it.
        case sql(String)
        /// Words that name no command ("Deploy Sprint 3 to staging environment"): mapped to
        /// command lines by `ProseCommands`, or not rehearsed.
        case prose(String)
        /// A row of the 3.1 table: step number and what it says.
        case step(Int, String)
    }

    public var section: String
    /// 1-based line and column of the item's text in the checklist file.
    public var line: Int
    public var column: Int
    public var kind: Kind
    /// Whether it is a `[ ]` item (bash blocks, the 3.1 table) or a statement of a sql block.
    public var hasBox: Bool
    public var checks: [ChecklistCheck]
    /// The comment lines just before it (`# Step 4: Migration 006`, `# 1. Disable MCP server`).
    public var context: [String]
    /// A statement shown for reading only (2.1's "Expected Migration" DDL), never run.
    public var isReference = false

    public var isRunnable: Bool { !isReference && (hasBox || { if case .sql = kind { return true }; return false }()) }

    /// The text as the checklist writes it.
    public var text: String {
        switch kind {
        case .command(let text), .sql(let text), .prose(let text): return text
        case .step(let number, let text): return "Step \(number): \(text)"
        }
    }
}

/// `# Verify: "…"`, `# Expected: …`, `-- Expected: 2 rows`, `-- Must return 3 rows`.
public struct ChecklistCheck: Sendable, Equatable {
    public var text: String
    public var line: Int
    /// For an "Expected output:" table in a comment: the rows it lists.
    public var rows: [[String]] = []
}

/// A parsed checklist kept for reuse (the shipped one is parsed once per process).
final class ChecklistCache: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Checklist?

    var value: Checklist? {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
