/// Whether a string is shaped like a person's name: two to four capitalised words of letters
/// (hyphens, apostrophes and initials allowed) with the lowercase particles of many surnames
/// between them (de, van der, di), after an optional honorific and before an optional suffix,
/// and none of them a word that names a team, a system or an organisation. Used only where a key already says the
/// value is a person (`author`, `reviewer.name`), never on free text.
enum PersonNameShape {
    static let honorifics: Set<String> = [
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "herr", "frau", "mme", "mlle", "m", "sig", "sigra",
        "dott", "dottssa", "ing", "sr", "sra", "srta", "don", "dña", "dhr", "mevr",
    ]
    /// Surname particles, written in lowercase inside a name (Nathalie Loiseau de la Gimenez).
    static let particles: Set<String> = [
        "de", "du", "des", "la", "le", "van", "von", "der", "den", "ter", "ten", "het", "di", "da", "del", "della", "dos",
        "das", "do", "y", "e", "zu", "bin", "binti", "al", "el", "ibn", "die", "op", "in", "'t",
    ]
    static let suffixes: Set<String> = ["jr", "sr", "ii", "iii", "iv", "md", "phd", "dds", "dvm", "esq", "cpa", "mba", "msc", "bsc", "ba", "ma", "llm"]
    static let notPersonWords: Set<String> = [
        "team", "bot", "group", "ops", "service", "services", "department", "dept", "admin", "administrator", "system",
        "systems", "policy", "committee", "inc", "ltd", "llc", "gmbh", "corp", "corporation", "company", "bank", "board",
        "office", "desk", "unit", "support", "operations", "engineering", "compliance", "security", "risk", "finance",
        "platform", "agent", "api", "the", "and", "of", "for", "user", "users", "unknown", "anonymous", "none", "null",
        "review", "approval", "approvals", "pending", "automated", "automation", "scheduler", "worker", "task", "job",
        "on", "call", "duty", "shift", "new", "guest", "default", "primary", "secondary", "test", "demo", "example",
    ]

    static func matches(_ text: String) -> Bool { core(text) != nil }

    /// The name without its titles and suffixes ("Dr. Li Wei PhD" → "Li Wei"), so that it can be
    /// found again in prose; nil when the text is not shaped like a name.
    static func core(_ text: String) -> String? {
        guard text.count <= 64 else { return nil }
        var words = text.split(separator: " ", omittingEmptySubsequences: false)
        while words.count > 2, let first = words.first, isTitle(first) { words.removeFirst() }
        while words.count > 2, let last = words.last, isSuffix(last) { words.removeLast() }
        guard words.count <= 7, let first = words.first, let last = words.last, isNameWord(first), isNameWord(last) else { return nil }
        var capitalised = 0
        for word in words {
            if isNameWord(word) { capitalised += 1 } else if !particles.contains(String(word)) { return nil }
        }
        return (2...4).contains(capitalised) ? words.joined(separator: " ") : nil
    }

    static func normalized(_ word: Substring) -> String {
        word.lowercased().replacingOccurrences(of: ".", with: "")
    }

    /// An honorific or an academic title before the name: Dr., Herr, Dipl.-Ing., Univ.Prof.
    static func isTitle(_ word: Substring) -> Bool {
        if honorifics.contains(normalized(word)) { return true }
        return word.count > 2 && word.contains(".") && word.allSatisfy { $0.isLetter || $0 == "." || $0 == "-" }
    }

    /// A generational or academic suffix after the name: Jr., III, PhD, B.Sc., MBA.
    static func isSuffix(_ word: Substring) -> Bool {
        if suffixes.contains(normalized(word)) { return true }
        return word.contains(".") && word.allSatisfy { $0.isLetter || $0 == "." } && word.filter(\.isLetter).count <= 5
    }

    static func isNameWord(_ word: Substring) -> Bool {
        guard let first = word.first, first.isLetter, first.isUppercase else { return false }
        // An initial ("J.") or a word of letters with the joiners names use (Jean-Luc, O'Brien).
        if word.count == 2 && word.last == "." { return true }
        guard word.count >= 2, word.allSatisfy({ $0.isLetter || $0 == "-" || $0 == "'" || $0 == "’" }) else { return false }
        return !notPersonWords.contains(word.lowercased())
    }
}
