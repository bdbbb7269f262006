import HTTPParser

/// A request parser held by reference. The server lends one to every connection between requests;
/// a connection keeps a box of its own only while a request has arrived in part, so an idle
/// keep-alive connection holds no parser (232 bytes each). Loop thread only.
final class ParserBox {
    var parser: RequestParser

    init(_ parser: RequestParser) {
        self.parser = parser
    }
}
