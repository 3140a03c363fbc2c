/// One alembic-style revision: a file with a header, an upgrade section and a downgrade section.
public struct Revision: Sendable, Equatable {
    /// The revision id, which is also the file's name without `.sql` (`006_add_pending_proposals`).
    public var id: String
    /// The revision this one applies on top of; `nil` for the base revision.
    public var downRevision: String?
    public var message: String
    /// The file the revision was read from, as the user named it (for error messages).
    public var path: String
    public var upgrade: [ScriptStatement]
    public var downgrade: [ScriptStatement]
    /// SHA-256 of the whole file, recorded when applied so a later edit can be detected.
    public var checksum: String
}
