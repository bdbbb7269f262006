import HTTPParser
import Synchronization
import Testing

@testable import AuthService

/// The route table: exact paths, trailing slash, HEAD for GET, 404 and 405 with Allow.
@Suite struct RouterTests {
    private static func answer(_ router: Router, _ method: HTTPMethod, _ target: String) -> Response {
        let box = Mutex<Response?>(nil)
        let request = Request(method: method, target: target)
        router.run(router.match(request), request, nil) { response in box.withLock { $0 = response } }
        return box.withLock { $0! }
    }

    private static var table: Router {
        var router = Router()
        router.add(.get, "/profile") { _, _, respond in respond(Response(status: 200, body: Array("get".utf8))) }
        router.add(.post, "/sessions") { _, _, respond in respond(Response(status: 201)) }
        router.add(.delete, "/sessions") { _, _, respond in respond(Response(status: 302)) }
        return router
    }

    @Test func exactPathsAndATrailingSlashReachTheirHandler() {
        #expect(Self.answer(Self.table, .get, "/profile").status == 200)
        #expect(Self.answer(Self.table, .get, "/profile/").status == 200)
        #expect(Self.answer(Self.table, .get, "/profile?x=1").status == 200)
        #expect(Self.answer(Self.table, .post, "/sessions").status == 201)
        #expect(Self.answer(Self.table, .delete, "/sessions").status == 302)
    }

    @Test func aParameterizedPathTakesExactlyOneNonEmptySegment() {
        var router = Self.table
        router.add(.delete, parameterized: "/sessions/{id}") { _, _, respond in respond(Response(status: 204)) }
        for target in ["/sessions/0123456789abcdef", "/sessions/x/", "/sessions/x?scope=all"] {
            #expect(Self.answer(router, .delete, target).status == 204, "\(target)")
        }
        // The bare prefix is the route without the parameter; more segments are unknown.
        #expect(Self.answer(router, .delete, "/sessions/").status == 302)
        for target in ["/sessions/a/b", "/sessions//", "/sessionsx", "/sessions/a//"] {
            #expect(Self.answer(router, .delete, target).status == 404, "\(target)")
        }
        #expect(Self.answer(router, .get, "/sessions/x").status == 405)
        #expect(router.labels.contains("/sessions/{id}"))
    }

    @Test func headIsAnsweredByTheGetHandler() {
        #expect(Self.answer(Self.table, .head, "/profile").body == Array("get".utf8))
    }

    @Test func unknownPathsAre404WithAJSONMessage() {
        for target in ["/nope", "/profile/extra", "/PROFILE", "/%2Fprofile", "/../profile"] {
            let response = Self.answer(Self.table, .get, target)
            #expect(response.status == 404, "\(target)")
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"message":"not found"}"# + "\n")
        }
    }

    @Test func aKnownPathWithAnotherMethodIs405ListingTheAllowedOnes() {
        let sessions = Self.answer(Self.table, .put, "/sessions")
        #expect(sessions.status == 405)
        #expect(sessions.headers.first { $0.name == "Allow" }?.value == "POST, DELETE")
        let profile = Self.answer(Self.table, .post, "/profile")
        #expect(profile.headers.first { $0.name == "Allow" }?.value == "GET, HEAD")
    }

    @Test func eachRouteIsNamedByItsPositionAndUnknownPathsAreOther() {
        var router = Self.table
        router.add(.get, "/healthz", operational: .health)
        #expect(router.labels == ["/profile", "/sessions", "/healthz", "other"])
        #expect(router.match(Request(method: .get, target: "/profile/")).route == 0)
        #expect(router.match(Request(method: .delete, target: "/sessions")).route == 1)
        #expect(router.match(Request(method: .put, target: "/sessions")).route == 1)
        #expect(router.match(Request(method: .get, target: "/nope")).route == 3)
    }

    @Test func endpointsListEachMethodAndPathWithHeadAfterEachGet() {
        var router = Self.table
        router.add(.get, "/metrics", operational: .metrics)
        #expect(
            router.endpoints.map { "\($0.method) \($0.path)" } == [
                "GET /profile", "HEAD /profile", "POST /sessions", "DELETE /sessions", "GET /metrics", "HEAD /metrics",
            ])
    }

    @Test func operationalRoutesAreNamedForTheServerToAnswer() {
        var router = Self.table
        router.add(.get, "/metrics", operational: .metrics)
        #expect(router.match(Request(method: .get, target: "/metrics")).operational == .metrics)
        #expect(router.match(Request(method: .head, target: "/metrics")).operational == .metrics)
        #expect(router.match(Request(method: .post, target: "/metrics")).operational == nil)
        #expect(router.match(Request(method: .get, target: "/profile")).operational == nil)
        // Run by the router (a listener that does not serve it), an operational route is unknown.
        #expect(Self.answer(router, .get, "/metrics").status == 404)
        #expect(Self.answer(router, .post, "/metrics").status == 405)
    }

    @Test func operationalRoutesMatchOnlyTheirExactPath() {
        var router = Self.table
        router.add(.get, "/metrics", operational: .metrics)
        router.add(.get, "/openapi.json", operational: .openAPI)
        #expect(router.match(Request(method: .get, target: "/metrics?name=x")).operational == .metrics)
        for target in ["/metrics/", "/metrics//", "/openapi.json/", "/metrics/?x=1"] {
            let match = router.match(Request(method: .get, target: target))
            #expect(match.operational == nil, "\(target)")
            #expect(match.route == router.labels.count - 1, "\(target) should be an unknown path")
        }
        // The API's routes keep the seed's tolerance of a trailing slash.
        #expect(Self.answer(router, .get, "/profile/").status == 200)
    }
}
