/// The drill prompt's line editor, as a pure state machine over key presses: insert, delete,
/// move (arrows, Home/End, Ctrl-A/E/B/F), kill (Ctrl-K/U/W), history (Up/Down, Ctrl-P/N) and
/// reverse search (Ctrl-R). The terminal side (raw mode, escape sequences) only decodes bytes
/// into `Key`s and redraws `line`; no escape code ever reaches the recorded command.
public struct LineEditing: Sendable {
    public enum Key: Equatable, Sendable {
        case character(Character)
        case enter, backspace, delete, left, right, home, end, up, down
        case killToEnd, killToStart, killWord, clearScreen, interrupt, endOfInput, reverseSearch
    }

    /// What a key press asks of the caller.
    public enum Outcome: Equatable, Sendable {
        case editing
        case submit(String)
        /// Ctrl-D on an empty line: the caller asks before ending the drill.
        case endOfInput
        case clearScreen
    }

    public private(set) var buffer: [Character] = []
    public private(set) var cursor = 0
    public private(set) var history: [String]
    /// Index into `history` while browsing it; nil when editing a new line.
    var browsing: Int?
    /// The line being typed before browsing started, restored by Down past the newest entry.
    var draft: [Character] = []
    /// Reverse search: the query, when Ctrl-R is active.
    public private(set) var searchQuery: String?

    public init(history: [String] = []) {
        self.history = history
    }

    public var line: String { String(buffer) }

    /// What the terminal shows for the current state (the prompt's text after `drill> `).
    public var display: String {
        if let query = searchQuery { return "(reverse-i-search)`\(query)': \(line)" }
        return line
    }

    public mutating func press(_ key: Key) -> Outcome {
        if searchQuery != nil, let outcome = search(key) { return outcome }
        switch key {
        case .character(let character):
            buffer.insert(character, at: cursor)
            cursor += 1
        case .backspace:
            if cursor > 0 { buffer.remove(at: cursor - 1); cursor -= 1 }
        case .delete:
            if cursor < buffer.count { buffer.remove(at: cursor) }
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(buffer.count, cursor + 1)
        case .home: cursor = 0
        case .end: cursor = buffer.count
        case .killToEnd: buffer.removeSubrange(cursor...)
        case .killToStart:
            buffer.removeSubrange(..<cursor)
            cursor = 0
        case .killWord:
            var start = cursor
            while start > 0, buffer[start - 1] == " " { start -= 1 }
            while start > 0, buffer[start - 1] != " " { start -= 1 }
            buffer.removeSubrange(start..<cursor)
            cursor = start
        case .up:
            guard !history.isEmpty else { break }
            if browsing == nil { draft = buffer; browsing = history.count }
            browsing = max(0, browsing! - 1)
            buffer = Array(history[browsing!])
            cursor = buffer.count
        case .down:
            guard let index = browsing else { break }
            if index + 1 < history.count {
                browsing = index + 1
                buffer = Array(history[index + 1])
            } else {
                browsing = nil
                buffer = draft
            }
            cursor = buffer.count
        case .interrupt:
            buffer = []
            cursor = 0
            browsing = nil
        case .clearScreen: return .clearScreen
        case .reverseSearch: searchQuery = ""
        case .endOfInput:
            if buffer.isEmpty { return .endOfInput }
            if cursor < buffer.count { buffer.remove(at: cursor) }
        case .enter:
            let submitted = line
            if !submitted.trimmingWhitespace().isEmpty && history.last != submitted { history.append(submitted) }
            buffer = []
            cursor = 0
            browsing = nil
            return .submit(submitted)
        }
        return .editing
    }

    /// Ctrl-R: typed characters extend the query and show the newest history entry holding
    /// it; Ctrl-R again looks further back; any other key leaves the search keeping the match.
    mutating func search(_ key: Key) -> Outcome? {
        guard var query = searchQuery else { return nil }
        switch key {
        case .character(let character): query.append(character)
        case .backspace: if !query.isEmpty { query.removeLast() }
        case .reverseSearch:
            let before = (browsing ?? history.count) - 1
            if before >= 0, let index = history[...before].lastIndex(where: { $0.contains(query) }) {
                browsing = index
                buffer = Array(history[index])
                cursor = buffer.count
            }
            return .editing
        case .interrupt:
            searchQuery = nil
            buffer = []
            cursor = 0
            return .editing
        default:
            searchQuery = nil
            return nil  // the key then acts on the found line (Enter runs it)
        }
        searchQuery = query
        if let index = history.lastIndex(where: { query.isEmpty || $0.contains(query) }) {
            browsing = index
            buffer = Array(history[index])
            cursor = buffer.count
        }
        return .editing
    }
}
