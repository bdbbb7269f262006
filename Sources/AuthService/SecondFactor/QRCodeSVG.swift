import CQREncode

/// A QR code as an SVG image, drawn by libqrencode: the modules come from the library, this type
/// only writes them as one path (each run of dark modules in a row as one rectangle).
enum QRCodeSVG {
    /// The light margin around the code, in modules, that readers need (ISO/IEC 18004).
    static let quietZone = 4

    /// An SVG of `text` at error-correction level M; nil when libqrencode cannot encode it
    /// (longer than a QR code holds).
    static func make(_ text: String) -> String? {
        guard let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else { return nil }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        let modules = UnsafeBufferPointer(start: code.pointee.data, count: width * width)
        let side = width + 2 * quietZone
        var path = ""
        for row in 0..<width {
            var column = 0
            while column < width {
                // Bit 0 of each module's byte is its colour, 1 dark (qrencode.h).
                guard modules[row * width + column] & 1 == 1 else {
                    column += 1
                    continue
                }
                let start = column
                while column < width && modules[row * width + column] & 1 == 1 { column += 1 }
                path += "M\(start + quietZone) \(row + quietZone)h\(column - start)v1h-\(column - start)z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">\
            <rect width="\(side)" height="\(side)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }
}
