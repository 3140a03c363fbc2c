import GRDB

/// `traces.no_pii`: no PII in any `agent_traces` column, by the same scanner as `rehearse pii`,
/// with the application's users as known people.
struct TracesNoPIIInvariant: Invariant {
    var reads: InvariantReads { .tables("agent_traces", "users") }

    static let jsonColumns = ["input_summary", "output_summary", "tool_calls"]
    static let textColumns = ["error_message", "triggered_by"]

    var info: InvariantInfo {
        InvariantInfo(id: "traces.no_pii", title: "No PII stored in agent_traces", source: "2.2, 4.6", severity: .critical)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        if let notYet = try context.requireRevision("007_add_agent_traces") { return notYet }
        let (scanner, peopleKey) = try KnownPeopleScanner.current(context)
        var evidence: [Evidence] = []
        var count = 0
        let rows = try Row.fetchCursor(context.db, sql: "SELECT id, input_summary, output_summary, tool_calls, error_message, triggered_by FROM agent_traces ORDER BY rowid")
        while let row = try rows.next() {
            count += 1
            let id = row.text(atIndex: 0)
            let texts = (1...5).map { row.text(atIndex: $0) }
            // A row already scanned with the same bytes and the same people has the same findings.
            let key = Fingerprint.of([withUnsafeBytes(of: peopleKey) { Array($0) }, id.map { Array($0.utf8) } ?? [0xFF, 0]] + texts.map { $0.map { Array($0.utf8) } ?? [0xFF, 0] })
            if let known = context.cache?.traceRowFindings(key) { evidence += known; continue }
            var found: [Evidence] = []
            for (offset, column) in (Self.jsonColumns + Self.textColumns).enumerated() {
                guard let text = texts[offset] else { continue }
                for finding in scanner.findings(in: text) {
                    found.append(Evidence(table: "agent_traces", rowId: id, column: column, pointer: finding.pointer.isEmpty ? nil : finding.pointer,
                                          note: "contains \(finding.type.rawValue)"))
                }
            }
            context.cache?.rememberTraceRowFindings(key, found)
            evidence += found
        }
        if evidence.isEmpty { return .holds(detail: "\(count) trace(s), no PII") }
        return .broken(detail: "PII in \(Set(evidence.map(\.rowId)).count) trace(s)", evidence: evidence)
    }
}

/// `traces.viewer_no_pii`: what the traces viewer shows now, and what its redis cache holds,
/// contains no PII. Cached pages are judged whatever the schema: after 007 is downgraded the
/// cache still serves them. Not applicable only when nothing can be served.
struct ViewerNoPIIInvariant: Invariant {
    /// The viewer renders agent_traces and the triggering users (TracesViewer), and redis's
    /// pages; what serves them is the stack (code, containers, environment) and the faults.
    var reads: InvariantReads { InvariantReads(tables: ["agent_traces", "users"], world: [.clock, .stack, .faults]) }

    var info: InvariantInfo {
        InvariantInfo(id: "traces.viewer_no_pii", title: "The traces viewer (and its cache) shows no PII", source: "4.6, 6.6", severity: .critical)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        guard let world = context.world else { return .notApplicable(reason: "no simulated world (the viewer runs only in scenarios and drills)") }
        let traces = try context.hasTable("agent_traces")
        let cache = world.cache
        if cache.isEmpty && !(world.tracesViewerEnabled && traces) {
            return .notApplicable(reason: "nothing can be served: no cached page, and \(world.tracesViewerEnabled ? "no agent_traces table" : "the viewer is not serving")")
        }
        let (scanner, people) = try KnownPeopleScanner.current(context)
        let peopleKey = withUnsafeBytes(of: people) { Array($0) }
        // The same page and the same people: the same findings.
        func findings(_ page: String) -> [PIIType] {
            let key = Fingerprint.of([peopleKey, Array(page.utf8)])
            if let known = context.cache?.pageFindings(key) { return known }
            let found = TracesViewer.findings(onPage: page, scanner: scanner)
            context.cache?.rememberPageFindings(key, found)
            return found
        }
        var evidence: [Evidence] = []
        // A page is judged cell by cell with the verdict `traces.no_pii` gives a column: the
        // same bytes get the same answer in the table and on the screen.
        for key in cache.keys.sorted() {
            for type in findings(cache[key]!.page) {
                evidence.append(Evidence(table: "redis", rowId: key, note: "cached page contains \(type.rawValue)"))
            }
        }
        // With postgres down the viewer answers an error page for anything not cached: only the
        // cache can still show something.
        if world.tracesViewerEnabled && traces && world.isRunning(.postgres) {
            // The 51 pages are a function of the traces, the users and whether the viewer
            // sanitizes: rendered again only when one of those changed, not at every clock move.
            let sanitized: UInt64 = world.faultActive(.viewerUnsanitized) ? 0 : 1
            evidence += try RowLevelMemo.whileUnchanged("viewer.pages", tables: ["agent_traces", "users"], also: [sanitized], changes: context.changes) {
                var found: [Evidence] = []
                // A trace without an id is on the list but has no page.
                let traceIds = try Row.fetchAll(context.db, cached: "SELECT trace_id FROM agent_traces ORDER BY started_at DESC, rowid DESC LIMIT 50").compactMap { $0.text(atIndex: 0) }
                for trace in [nil] + traceIds.map(Optional.some) {
                    // A sanitized trace page shows its rows' columns scrubbed with the known
                    // people, and nothing else: its findings are those of the same rows with the
                    // same people, known without rendering it again. (Unsanitized, the page
                    // also looks users up by id: always rendered.)
                    let rowsKey: UInt64? = try trace.flatMap { id in
                        guard sanitized == 1, context.cache != nil, let rows = try Self.rowFingerprints(context.db, trace: id) else { return nil }
                        return Fingerprint.of([peopleKey, Array("trace page".utf8)] + rows)
                    }
                    let types: [PIIType]
                    if let rowsKey, let known = context.cache?.pageFindings(rowsKey) {
                        types = known
                    } else if trace == nil, sanitized == 1, let cache = context.cache,
                              let listed = try Self.listFindings(context.db, scanner: scanner, people: peopleKey, cache: cache) {
                        types = listed
                    } else {
                        types = findings(try TracesViewer.render(context.db, world: world, trace: trace, scanner: scanner))
                        if let rowsKey { context.cache?.rememberPageFindings(rowsKey, types) }
                    }
                    for type in types {
                        found.append(Evidence(table: "agent_traces", rowId: trace, note: "/traces\(trace.map { "/\($0)" } ?? "") shows \(type.rawValue)"))
                    }
                }
                return found
            }
        }
        if evidence.isEmpty { return .holds(detail: world.tracesViewerEnabled ? "viewer and cache show no PII" : "viewer disabled; cache holds no PII") }
        return .broken(detail: "\(evidence.count) PII exposure(s) in the viewer or its cache", evidence: evidence)
    }
}

/// The scanner both trace invariants judge with, built on the application's users, and their
/// fingerprint: built again only when `users` changed (or the schema: the epoch), not at every
/// evaluation of a session.
enum KnownPeopleScanner {
    static func current(_ context: InvariantContext) throws -> (scanner: PIIScanner, people: UInt64) {
        try RowLevelMemo.whileUnchanged("pii.known_people", tables: ["users"], also: [], changes: context.changes) {
            let people = try TraceRecorder.knownPeople(context.db)
            return (PIIScanner(people: people), TraceRecorder.fingerprint(people))
        }
    }
}

extension ViewerNoPIIInvariant {
    /// The sanitized list's findings without rendering it: row by row, each row's cells judged
    /// once for the same shown columns and the same people (a new trace renders its own row, not
    /// the fifty), in the page's order, then what lies outside the cells — exactly what
    /// `TracesViewer.findings(onPage:)` finds on the rendered list, since an escaped cell cannot
    /// contain the markup around it. Nil when the table lacks a shown column (schema drift:
    /// the list is rendered).
    static func listFindings(_ db: Database, scanner: PIIScanner, people: [UInt8], cache: InvariantCache) throws -> [PIIType]? {
        BaselineIdentity.registerFingerprint(db)
        let listed: [Row]
        do {
            // The shown columns come with their fingerprint (not fetched again by rowid, which a
            // column of that name would shadow).
            listed = try Row.fetchAll(db, cached: """
                SELECT rehearse_fingerprint(\(TracesViewer.shown)) AS rehearse_row_fingerprint, input_summary IS NOT NULL AS rehearse_has_input,
                       \(TracesViewer.shown)
                FROM agent_traces ORDER BY started_at DESC, rowid DESC LIMIT 50
                """)
        } catch let error as DatabaseError where error.isMissingColumn {
            return nil
        }
        var types: [PIIType] = []
        var shape: [[String]] = []
        for entry in listed {
            let key = Fingerprint.of([people, Array("list row".utf8), withUnsafeBytes(of: (entry[0] as Int64).littleEndian) { Array($0) }])
            if let known = cache.pageFindings(key) {
                types.addNew(known)
            } else {
                var row: [PIIType] = []
                for cell in try TracesViewer.cells(entry, onPage: nil, db, sanitize: true, scanner: scanner) {
                    // As the page holds it, escaped, and as findings(onPage:) reads it back.
                    row.addNew(TracesViewer.cellFindings(TracesViewer.unescapeHTML(TracesViewer.escapeHTML(cell)), scanner: scanner))
                }
                cache.rememberPageFindings(key, row)
                types.addNew(row)
            }
            shape.append(Array(repeating: "", count: (entry[1] as Bool) ? 6 : 5))
        }
        // The markup alone: the same pieces outside the cells as the rendered list.
        types.addNew(TracesViewer.findings(onPage: TracesViewer.page(shape), scanner: scanner))
        return types
    }

    /// The rows a trace's page shows, as `rehearse_fingerprint`s of the columns it shows, in
    /// the page's order; nil when the table lacks one of them (schema drift: the page is
    /// rendered and judged every time).
    static func rowFingerprints(_ db: Database, trace: String) throws -> [[UInt8]]? {
        BaselineIdentity.registerFingerprint(db)
        do {
            return try Int64.fetchAll(db, cached: "SELECT rehearse_fingerprint(\(TracesViewer.shown)) FROM agent_traces WHERE trace_id = ?", arguments: [trace])
                .map { withUnsafeBytes(of: $0.littleEndian) { Array($0) } }
        } catch let error as DatabaseError where error.isMissingColumn {
            return nil
        }
    }
}
