import ArgumentParser
import AuthService
import Glibc

/// `authd import FILE.csv`: users moved from another system, with their bcrypt hashes.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Add users from a CSV file of email,bcrypt-hash rows; they keep their passwords.",
        discussion: """
            Emails are normalized as at sign-up; a row whose email equals an earlier row's or a stored \
            one ignoring case is skipped, as is a row that is not an email and a bcrypt hash ($2a$, $2b$, \
            $2y$). Each skipped row is reported by line; the good rows are added in one transaction. \
            A first line "email,…" is a header. Fields may be quoted with "…". Lines may end in LF or \
            CRLF, and a UTF-8 byte order mark is passed over; a line that is not valid UTF-8 is skipped.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The CSV file.")
    var file: String

    func run() throws {
        let parsed = UsersCSV.rows(try Self.read(file))
        let report = try database.withUsers { try $0.importUsers(parsed.rows, rejected: parsed.rejected) }
        for (line, reason) in report.skipped {
            print("\(file):\(line): skipped: \(ImportMessages.reason(reason))")
        }
        print(
            "imported \(report.added.count) user\(report.added.count == 1 ? "" : "s"), skipped \(report.skipped.count) row\(report.skipped.count == 1 ? "" : "s")"
        )
    }

    private static func read(_ path: String) throws -> [UInt8] {
        guard let handle = fopen(path, "rb") else { throw AdminFailure.unreadableFile(path, errno) }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, handle)
            bytes += chunk[..<count]
            if count < chunk.count {
                if ferror(handle) != 0 { throw AdminFailure.unreadableFile(path, errno) }
                break
            }
        }
        return bytes
    }
}

/// The rows of a users CSV file (RFC 4180 fields on one line each: `email,hash`, quotes optional).
enum UsersCSV {
    /// The two-field rows, and the lines that are not one, by line number (1-based). Lines end in
    /// LF or CRLF; a leading UTF-8 byte order mark (as spreadsheets write) is not part of the first
    /// field. Blank lines and a first line whose first field is `email` (a header) are passed over.
    /// A line that is not valid UTF-8 is refused, never repaired: U+FFFD in an email would make an
    /// account nobody asked for (the HTTP routes refuse such forms too).
    static func rows(_ bytes: [UInt8]) -> (rows: [ImportRow], rejected: [(line: Int, reason: ImportRejection)]) {
        var rows: [ImportRow] = []
        var rejected: [(line: Int, reason: ImportRejection)] = []
        // Split as bytes: as Characters, "\r\n" is one grapheme that no "\n" separator matches.
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        var lines = body.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        for (offset, raw) in lines.enumerated() {
            let lineBytes = raw.last == 0x0D ? raw.dropLast() : raw
            guard let decoded = String(validating: lineBytes, as: UTF8.self) else {
                rejected.append((offset + 1, .notUTF8))
                continue
            }
            let line = Substring(decoded)
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            guard let fields = fields(of: line) else {
                rejected.append((offset + 1, .fieldCount(nil)))
                continue
            }
            if offset == 0, fields.first?.lowercased() == "email" { continue }
            guard fields.count == 2 else {
                rejected.append((offset + 1, .fieldCount(fields.count)))
                continue
            }
            rows.append(ImportRow(line: offset + 1, email: fields[0], hashedPassword: fields[1]))
        }
        return (rows, rejected)
    }

    /// The comma-separated fields of one line, `"…"` unquoted (`""` inside is one `"`); nil when a quote is unbalanced.
    static func fields(of line: Substring) -> [String]? {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            index = line.index(after: index)
            if quoted {
                if character == "\"" {
                    if index < line.endIndex, line[index] == "\"" {
                        field.append("\"")
                        index = line.index(after: index)
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
        }
        guard !quoted else { return nil }
        fields.append(field)
        return fields
    }
}
