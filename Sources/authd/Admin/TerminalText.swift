/// Stored text as the admin commands print it: an email the seed's service stored may hold ESC,
/// BEL, LF or bidirectional controls, which a terminal would obey (colours, a cleared screen, a
/// forged line). Every control, format, line- or paragraph-separator character is printed as
/// `\u{1B}`, and a backslash as `\\`, so what is shown is unambiguous and inert.
enum TerminalText {
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "\\" {
                out += "\\\\"
            } else if needsEscape(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: scalar == "\\"
        }
    }
}
