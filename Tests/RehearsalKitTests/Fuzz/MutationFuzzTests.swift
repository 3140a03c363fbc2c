import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// Seeded mutation fuzzing of the four parsers that read hostile input (Tests/Fuzz/README.md):
/// every mutant is either accepted or refused with the target's documented error. A trap
/// would kill the test process, a hang would hit the work budgets, so finishing is the test.
@Suite struct MutationFuzzTests {
    static let corpus = packageRoot.appendingPathComponent("Tests/Fuzz")

    /// Byte-level mutations that reach the parsers' edge cases: flips, deletions,
    /// duplications, truncation, and insertions of the characters their grammars turn on.
    static func mutate(_ input: [UInt8], _ generator: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        let specials = Array("'\"()*&:-\n{}[]\\,;#|$~é\u{0}\u{FEFF}".utf8)
        for _ in 0...generator.below(3) {
            guard !bytes.isEmpty else { bytes = [specials[generator.below(specials.count)]]; continue }
            let at = generator.below(bytes.count)
            switch generator.below(5) {
            case 0: bytes[at] ^= UInt8(1 << generator.below(8))
            case 1: bytes.removeSubrange(at..<min(bytes.count, at + 1 + generator.below(16)))
            case 2: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 1 + generator.below(64))], at: at)
            case 3: bytes = Array(bytes.prefix(at))
            default: bytes.insert(specials[generator.below(specials.count)], at: at)
            }
        }
        return bytes
    }

    @Test func theScenarioLoaderAcceptsOrRefusesEveryMutant() throws {
        let chain = try RevisionChain.shipped()
        let files = try ScenarioLibrary.files(paths: []).map(\.path)
        var generator = SeededGenerator(seed: 2026)
        var accepted = 0, refused = 0
        for file in files {
            let seed = [UInt8](FileManager.default.contents(atPath: file)!)
            for _ in 0..<40 {
                let mutant = Self.mutate(seed, &generator)
                do {
                    _ = try ScenarioLoader(chain: chain).load(text: try UTF8Text.decode(Data(mutant)), file: "m.yaml")
                    accepted += 1
                } catch is UTF8Text.Invalid {
                    refused += 1
                } catch let error as UserFacingError {
                    #expect(error.description.hasPrefix("m.yaml:") || error.description.contains("error:"), "\(error)")
                    refused += 1
                }
            }
        }
        print("fuzz scenario loader: \(accepted + refused) mutants of \(files.count) files, \(accepted) accepted, \(refused) refused, 0 crashes")
        #expect(accepted + refused >= 1000)
    }

    @Test func theDialectAcceptsOrRefusesEveryMutant() throws {
        let seeds = try String(contentsOf: Self.corpus.appendingPathComponent("sql/statements.sql"), encoding: .utf8).split(separator: "\n").map { Array($0.utf8) }
        let queue = try makeDatabase()
        var generator = SeededGenerator(seed: 7)
        var ran = 0, refused = 0
        try queue.writeWithoutTransaction { db in
            try SchemaFixture.insertAll(db)
            for seed in seeds {
                for _ in 0..<80 {
                    let mutant = String(decoding: Self.mutate(seed, &generator), as: UTF8.self)
                    do {
                        _ = try SQLConsole(source: "m", dialect: PostgresDialect(now: Seeder.defaultNow)).run(db, script: mutant)
                        ran += 1
                    } catch is SQLStatementError {
                        refused += 1
                    }
                }
            }
        }
        print("fuzz dialect: \(ran + refused) mutants, \(ran) ran, \(refused) refused, 0 crashes")
        #expect(ran + refused == seeds.count * 80)
        #expect(ran > 0 && refused > 0)
    }

    @Test func theJSONParserAndThePIIProcessorAcceptOrRefuseEveryMutant() throws {
        let documents = try String(contentsOf: Self.corpus.appendingPathComponent("json/documents.json"), encoding: .utf8).split(separator: "\n").map { Array($0.utf8) }
        let lines = try String(contentsOf: Self.corpus.appendingPathComponent("pii/lines.jsonl"), encoding: .utf8).split(separator: "\n").map { Array($0.utf8) }
        var generator = SeededGenerator(seed: 11)
        var parsed = 0, refused = 0
        for seed in documents {
            for _ in 0..<500 {
                do { _ = try JSONParser.parse(bytes: Self.mutate(seed, &generator)); parsed += 1 } catch is JSONParser.Failure { refused += 1 }
            }
        }
        let processor = PIILineProcessor(scanner: PIIScanner(people: [KnownPerson(displayName: "Aoife Dahl", email: "aoife.dahl@example.org")]), mode: .scrub)
        var leaked = 0
        for seed in lines {
            for number in 0..<500 {
                let mutant = String(decoding: Self.mutate(seed, &generator), as: UTF8.self)
                let (output, _) = processor.process(line: mutant, number: number + 1)
                // A scrubbed line never carries the known address whole, however it was mangled.
                if output.contains("aoife.dahl@example.org") { leaked += 1 }
            }
        }
        print("fuzz JSON parser: \(parsed + refused) mutants, \(parsed) parsed, \(refused) refused; PII processor: \(lines.count * 500) mutants, \(leaked) leaked the known address")
        #expect(parsed + refused == documents.count * 500)
        #expect(leaked == 0)
    }
}
