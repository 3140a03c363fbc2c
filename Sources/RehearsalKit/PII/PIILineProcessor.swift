/// The `rehearse pii scan|scrub` contract: JSON lines in, one JSON line out per input line.
public struct PIILineProcessor: Sendable {
    public enum Mode: String, Sendable { case scan, scrub }

    public var scanner: PIIScanner
    public var mode: Mode
    /// Where the lines come from, for error messages (`<stdin>`).
    public var source: String

    public init(scanner: PIIScanner, mode: Mode, source: String = "<stdin>") {
        self.scanner = scanner
        self.mode = mode
        self.source = source
    }

    /// The output line for input line `number` (from 1), and an error for stderr when the
    /// line is not JSON. Such a line fails closed: scan reports the whole line as sensitive,
    /// scrub replaces it by the sensitive placeholder, and the run goes on.
    public func process(line: String, number: Int) -> (output: String, error: String?) {
        if mode == .scan {
            let (found, error) = findings(line: line, number: number)
            return (Self.findingsLine(number, found), error)
        }
        return processScrub(line: line, number: number)
    }

    /// What `scan` finds on one line, and the error for a line that is not JSON (then the
    /// whole line is one sensitive finding).
    public func findings(line: String, number: Int) -> (findings: [PIIFinding], error: String?) {
        let line = number == 1 ? TextLines.withoutByteOrderMark(line) : line
        do {
            return (scanner.scan(try JSONParser.parse(line, depthLimit: 4 * PIIScanner.maximumDepth)), nil)
        } catch JSONParser.Failure.tooDeep {
            return ([PIIFinding(pointer: "", type: .sensitive)], nil)
        } catch let failure as JSONParser.Failure {
            var column = 1
            if case .syntax(let offset, _) = failure { column = offset + 1 }
            return ([PIIFinding(pointer: "", type: .sensitive)], "\(source):\(number):\(column): error: line \(number) is not JSON (\(failure)); redacted whole")
        } catch {
            return ([PIIFinding(pointer: "", type: .sensitive)], "\(source):\(number):1: error: \(error)")
        }
    }

    func processScrub(line: String, number: Int) -> (output: String, error: String?) {
        // A byte-order mark before the first line (editors on Windows write one) is not content.
        let line = number == 1 ? TextLines.withoutByteOrderMark(line) : line
        let parsed: JSONValue
        var error: String?
        do {
            parsed = try JSONParser.parse(line, depthLimit: 4 * PIIScanner.maximumDepth)
        } catch JSONParser.Failure.tooDeep {
            // Valid JSON, only too deep to walk: redacted whole, which is not an input error.
            switch mode {
            case .scan: return (Self.findingsLine(number, [PIIFinding(pointer: "", type: .sensitive)]), nil)
            case .scrub: return (JSONValue.string(PIIType.sensitive.placeholder).serialized(), nil)
            }
        } catch let failure as JSONParser.Failure {
            var column = 1
            if case .syntax(let offset, _) = failure { column = offset + 1 }
            error = "\(source):\(number):\(column): error: line \(number) is not JSON (\(failure)); redacted whole"
            switch mode {
            case .scan: return (Self.findingsLine(number, [PIIFinding(pointer: "", type: .sensitive)]), error)
            case .scrub: return (JSONValue.string(PIIType.sensitive.placeholder).serialized(), error)
            }
        } catch {
            return ("", "\(source):\(number):1: error: \(error)")
        }
        switch mode {
        case .scan: return (Self.findingsLine(number, scanner.scan(parsed)), error)
        case .scrub: return (scanner.scrub(parsed).value.serialized(), error)
        }
    }

    public static func findingsLine(_ number: Int, _ findings: [PIIFinding]) -> String {
        JSONValue.object([
            ("line", .int(number)),
            ("findings", .array(findings.map { .object([("pointer", .string($0.pointer)), ("type", .string($0.type.rawValue))]) })),
        ]).serialized()
    }

    /// Reads a `--people` file: JSON lines `{"display_name": "…", "email": "…"}`.
    public static func loadPeople(text: String, path: String) throws -> [KnownPerson] {
        var people: [KnownPerson] = []
        for (index, line) in TextLines.split(text).enumerated() {
            if line.trimmingWhitespace().isEmpty { continue }
            let value: JSONValue
            do {
                value = try JSONParser.parse(line)
            } catch let failure as JSONParser.Failure {
                var column = 1
                if case .syntax(let offset, _) = failure { column = offset + 1 }
                throw PeopleFileError(location: SourceLocation(file: path, line: index + 1, column: column), reason: "not JSON: \(failure)")
            }
            guard let name = value["display_name"]?.stringValue else {
                throw PeopleFileError(location: SourceLocation(file: path, line: index + 1, column: 1), reason: "expected an object with a \"display_name\" string")
            }
            people.append(KnownPerson(displayName: name, email: value["email"]?.stringValue ?? ""))
        }
        return people
    }
}

public struct PeopleFileError: UserFacingError {
    public var location: SourceLocation
    public var reason: String

    public init(location: SourceLocation, reason: String) {
        self.location = location
        self.reason = reason
    }

    public var exitStatus: ExitStatus { .invalidInput }
    public var description: String { "\(location): error: \(reason)" }
}
