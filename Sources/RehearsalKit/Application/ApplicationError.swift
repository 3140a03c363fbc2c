/// The application said no: a refused tool call, approval or operation, with the HTTP-style
/// status the real service would answer and a message naming what was wrong.
public struct ApplicationError: Error, Equatable, CustomStringConvertible {
    public var status: Int
    public var message: String

    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status): \(message)" }
}
