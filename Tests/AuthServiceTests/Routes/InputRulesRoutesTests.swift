import Foundation
import HTTPParser
import Logging
import Testing

@testable import AuthService

/// The 400 answers of the email and password rules on every route that takes them, and the
/// normalized email in the answers, in process on the in-memory store.
@Suite struct InputRulesRoutesTests {
    private let auth: Auth
    private let routes: AuthRoutes

    init() throws {
        var configuration = AuthConfiguration(bcryptCost: 4, hashThreads: 1, passwordMinimumLength: 8)
        configuration.throttling.addressRequestLimit = 0
        auth = try Auth(store: InMemoryUserStore(), configuration: configuration)
        routes = AuthRoutes(auth: auth, logger: Logger(label: "test"))
    }

    private func send(_ method: HTTPMethod, _ target: String, form: [String: String]) async -> Response {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = form.sorted { $0.key < $1.key }.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
        var request = Request(
            method: method, target: target,
            headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded")]), body: Array(body.utf8))
        request.clientAddress = "192.0.2.9"
        return await withCheckedContinuation { done in routes.handle(request) { done.resume(returning: $0) } }
    }

    private func json(_ response: Response) -> [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: String] ?? [:]
    }

    private static let badEmails: [(email: String, message: String)] = [
        (String(repeating: "a", count: 10_000) + "@x.test", "email longer than 250 bytes"),
        (String(repeating: "a", count: 60_000) + "@x.test", "email longer than 250 bytes"),
        ("victim.x.test", "email must contain exactly one @"),
        ("a@b@x.test", "email must contain exactly one @"),
        ("@x.test", "email has nothing before the @"),
        ("victim@", "email has nothing after the @"),
        ("vic tim@x.test", "email must not contain white space"),
        ("vic\u{0}tim@x.test", "email must not contain control or invisible formatting characters"),
        ("victim@x.test\r\nX: y", "email must not contain control or invisible formatting characters"),
        ("vic\u{200B}tim@x.test", "email must not contain control or invisible formatting characters"),
    ]

    @Test func everyRouteThatTakesAnEmailAnswers400WithWhyItIsNotOne() async throws {
        defer { auth.shutdown() }
        for (email, message) in Self.badEmails {
            for (method, path, form) in [
                (HTTPMethod.post, "/users", ["email": email, "password": "password"]),
                (.post, "/sessions", ["email": email, "password": "password"]),
                (.post, "/reset_password", ["email": email]),
                (.put, "/reset_password", ["email": email, "reset_token": "t", "new_password": "password"]),
            ] {
                let answer = await send(method, path, form: form)
                #expect(
                    answer.status == 400 && json(answer) == ["message": message],
                    "\(method) \(path) \(email.prefix(20))")
            }
        }
    }

    @Test func theAnswersCarryTheNormalizedEmail() async throws {
        defer { auth.shutdown() }
        let created = await send(.post, "/users", form: ["email": " Victim@X.Test ", "password": "password"])
        #expect(created.status == 200 && json(created) == ["email": "Victim@x.test", "message": "user created"])
        let taken = await send(.post, "/users", form: ["email": "VICTIM@x.test", "password": "password"])
        #expect(taken.status == 400 && json(taken) == ["message": "email already registered"])
        let login = await send(.post, "/sessions", form: ["email": "victim@X.TEST", "password": "password"])
        #expect(login.status == 200 && json(login) == ["email": "Victim@x.test", "message": "logged in"])
        let reset = await send(.post, "/reset_password", form: ["email": "victim@x.test"])
        #expect(reset.status == 200 && json(reset)["email"] == "Victim@x.test")
        let token = try #require(json(reset)["reset_token"])
        let updated = await send(
            .put, "/reset_password",
            form: [
                "email": "VICTIM@x.test", "reset_token": token, "new_password": "new password",
            ])
        #expect(updated.status == 200 && json(updated) == ["email": "Victim@x.test", "message": "Password updated"])
    }

    @Test func aNewPasswordUnderTheMinimumIs400WithTheMinimum() async throws {
        defer { auth.shutdown() }
        let short = await send(.post, "/users", form: ["email": "a@b.c", "password": "seven77"])
        #expect(short.status == 400 && json(short) == ["message": "password shorter than 8 characters"])
        #expect(await send(.post, "/users", form: ["email": "a@b.c", "password": "eight888"]).status == 200)
        let token = try #require(json(await send(.post, "/reset_password", form: ["email": "a@b.c"]))["reset_token"])
        let update = await send(
            .put, "/reset_password", form: ["email": "a@b.c", "reset_token": token, "new_password": "short"])
        #expect(update.status == 400 && json(update) == ["message": "password shorter than 8 characters"])
        // Logins are not new passwords: a wrong short one is a 401 as ever.
        #expect(await send(.post, "/sessions", form: ["email": "a@b.c", "password": "x"]).status == 401)
    }
}
