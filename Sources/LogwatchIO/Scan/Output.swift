import Foundation

/// Line-buffered standard output and error that flush after every write, so a follower's
/// notices appear at once even through a pipe.
public enum Output {
    public static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    public static func err(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Colour only on a terminal, and never when `NO_COLOR` is set (https://no-color.org) or the
    /// terminal says it cannot show it (`TERM=dumb`).
    public static var colourOnStdout: Bool {
        colour(environment: ProcessInfo.processInfo.environment, isTerminal: isatty(STDOUT_FILENO) == 1)
    }

    public static func colour(environment: [String: String], isTerminal: Bool) -> Bool {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isTerminal
    }

    /// Columns to fit terminal text to: the terminal's own width, else `COLUMNS`, else nil (a
    /// pipe or file gets whole lines).
    public static var widthOfStdout: Int? {
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }
}
