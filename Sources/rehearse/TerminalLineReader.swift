import Foundation
import RehearsalKit
#if canImport(Glibc)
import Glibc
#endif

/// The drill prompt on a terminal: raw mode, key presses decoded into `LineEditing.Key`s,
/// the line redrawn after each. Escape sequences are consumed here, so the recorded command
/// is only ever the text the trainee sees.
final class TerminalLineReader {
    var editor = LineEditing()
    let prompt: String
    private var original = termios()

    init(prompt: String) {
        self.prompt = prompt
    }

    private var isRaw = false

    /// Raw mode for the whole drill, not per line: keys typed while a command runs stay
    /// queued (and unechoed) for the next prompt instead of being flushed or printed raw.
    private func enterRawMode() {
        guard !isRaw else { return }
        tcgetattr(STDIN_FILENO, &original)
        var raw = original
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        tcsetattr(STDIN_FILENO, TCSADRAIN, &raw)
        isRaw = true
    }

    /// Gives the terminal back as it was.
    func finish() {
        guard isRaw else { return }
        tcsetattr(STDIN_FILENO, TCSADRAIN, &original)
        isRaw = false
    }

    deinit { finish() }

    /// The next line, or nil when the trainee confirmed ending the drill (Ctrl-D) or input ended.
    func readLine() -> String? {
        enterRawMode()
        redraw()
        while let key = nextKey() {
            switch editor.press(key) {
            case .editing: redraw()
            case .submit(let line):
                write("\r\n")
                return line
            case .clearScreen:
                write("\u{1B}[2J\u{1B}[H")
                redraw()
            case .endOfInput:
                write("\r\nEnd the drill and grade it now? [y/N] ")
                let answer = readByte()
                write("\r\n")
                if answer == UInt8(ascii: "y") || answer == UInt8(ascii: "Y") { return nil }
                redraw()
            }
        }
        return nil
    }

    private func redraw() {
        let display = editor.display
        let after = editor.searchQuery == nil ? editor.buffer.count - editor.cursor : 0
        write("\r\u{1B}[K" + prompt + display + (after > 0 ? "\u{1B}[\(after)D" : ""))
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    private func readByte() -> UInt8? {
        var byte: UInt8 = 0
        return read(STDIN_FILENO, &byte, 1) == 1 ? byte : nil
    }

    /// One key: a control byte, an escape sequence (arrows, Home, End, Delete), or a whole
    /// UTF-8 character. Unknown sequences are consumed and ignored.
    private func nextKey() -> LineEditing.Key? {
        while let byte = readByte() {
            switch byte {
            case 0x0D, 0x0A: return .enter
            case 0x7F, 0x08: return .backspace
            case 0x01: return .home
            case 0x05: return .end
            case 0x02: return .left
            case 0x06: return .right
            case 0x10: return .up
            case 0x0E: return .down
            case 0x0B: return .killToEnd
            case 0x15: return .killToStart
            case 0x17: return .killWord
            case 0x0C: return .clearScreen
            case 0x03: return .interrupt
            case 0x04: return .endOfInput
            case 0x12: return .reverseSearch
            case 0x1B:
                if let key = escapeSequence() { return key }
            case 0x00..<0x20: continue
            default:
                if let character = utf8Character(startingWith: byte) { return .character(character) }
            }
        }
        return nil
    }

    private func escapeSequence() -> LineEditing.Key? {
        guard let introducer = readByte(), introducer == UInt8(ascii: "[") || introducer == UInt8(ascii: "O") else { return nil }
        var parameters: [UInt8] = []
        while let byte = readByte() {
            if (0x30...0x3F).contains(byte) { parameters.append(byte); continue }
            switch (byte, String(decoding: parameters, as: UTF8.self)) {
            case (UInt8(ascii: "A"), _): return .up
            case (UInt8(ascii: "B"), _): return .down
            case (UInt8(ascii: "C"), _): return .right
            case (UInt8(ascii: "D"), _): return .left
            case (UInt8(ascii: "H"), _): return .home
            case (UInt8(ascii: "F"), _): return .end
            case (UInt8(ascii: "~"), "1"), (UInt8(ascii: "~"), "7"): return .home
            case (UInt8(ascii: "~"), "4"), (UInt8(ascii: "~"), "8"): return .end
            case (UInt8(ascii: "~"), "3"): return .delete
            default: return nil
            }
        }
        return nil
    }

    private func utf8Character(startingWith lead: UInt8) -> Character? {
        let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0
        guard length > 0 else { return nil }
        var bytes = [lead]
        while bytes.count < length, let next = readByte() { bytes.append(next) }
        return String(validating: bytes, as: UTF8.self)?.first
    }
}
