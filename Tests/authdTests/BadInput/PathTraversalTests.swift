import Testing

/// Dot segments and encoded slashes name no route: 404, never another route or a file.
@Suite struct PathTraversalTests {
    let server: AuthdProcess

    init() throws { server = try AuthdProcess() }

    @Test(arguments: [
        "/../../etc/passwd", "/users%2F..%2Fprofile", "/%2e%2e/%2e%2e/etc/passwd", "/profile/..", "/x/../profile",
        "/%2Fprofile",
    ])
    func dotSegmentsAndEncodedSlashesGet404(path: String) throws {
        let refusal = try server.refusal(of: "GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
        try expectRefused(refusal, 404, "not found", closes: false, by: server)
    }
}
