/// The lines of a text file as people write them: "\n" or "\r\n" line ends, and an optional
/// byte-order mark before the first line (editors on Windows write both).
public enum TextLines {
    /// The lines without their line ends, a final empty line kept, so that line N of the file
    /// is element N-1 and error messages can name it.
    public static func split(_ text: String) -> [String] {
        // "\r\n" is one Character in Swift, so it has to be a separator of its own.
        withoutByteOrderMark(text)
            .split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map(String.init)
    }

    public static func withoutByteOrderMark(_ text: String) -> String {
        text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
    }
}
