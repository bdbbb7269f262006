/// The requests both parsers read, byte for byte the same.
enum Inputs {
    /// What Firefox sends for a page with the session cookie: about 400 bytes, 11 header fields.
    static let browserGet = Array(
        ("GET /profile HTTP/1.1\r\n"
            + "Host: localhost:5000\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            + "Accept-Language: en-US,en;q=0.5\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Connection: keep-alive\r\n"
            + "Cookie: session_id=3f2b8c1e-9d4a-4e6b-8f3a-1c2d3e4f5a6b\r\n"
            + "Upgrade-Insecure-Requests: 1\r\n"
            + "Sec-Fetch-Dest: document\r\n"
            + "Sec-Fetch-Mode: navigate\r\n"
            + "\r\n").utf8)

    /// The seed's log-in as python-requests sends it: `POST /sessions` with a urlencoded body.
    static let formPost = Array(
        ("POST /sessions HTTP/1.1\r\n"
            + "Host: localhost:5000\r\n"
            + "User-Agent: python-requests/2.31.0\r\n"
            + "Accept-Encoding: gzip, deflate\r\n"
            + "Accept: */*\r\n"
            + "Connection: keep-alive\r\n"
            + "Content-Length: 45\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\n"
            + "\r\n"
            + "email=guillaume%40holberton.io&password=b4l0u").utf8)
}
