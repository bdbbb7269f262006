import Foundation
import Testing

/// The refusals a route gives before its own work, asked of a live authd for every operation of
/// `openapi.json`: where it refuses a cross-site write (403) or two different `session_id` cookies
/// (400), the document lists that status and says why. Found by asking, so a route added later
/// is held to it too.
@Suite struct OpenAPIRefusalsTests {
    @Test func everyOperationListsTheRefusalsItGives() async throws {
        let server = try AuthdProcess(arguments: ["--portal-url", "http://127.0.0.1:1", "--public-metrics"])
        let client = HTTPClient(base: server.baseURL)
        let document = try OpenAPITests.document()
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var refusedAsCrossSite = 0
        var refusedAsAmbiguous = 0
        for (path, item) in paths {
            for (method, operation) in item where method != "head" {
                let operation = try #require(operation as? [String: Any])
                let target = path.replacingOccurrences(of: "{id}", with: "0123456789abcdef")
                let name = "\(method.uppercased()) \(path)"
                // A form for a method that may carry one; none for GET.
                let form: [String: String]? = method == "get" ? nil : [:]
                let crossSite = try await client.send(
                    method.uppercased(), target, form: form,
                    headers: ["Origin": "https://attacker.test", "Sec-Fetch-Site": "cross-site"])
                if crossSite.status == 403 && crossSite.json["message"] == "cross-site request refused" {
                    refusedAsCrossSite += 1
                    #expect(
                        Self.description(of: "403", in: operation, document)?.contains("cross-site") == true,
                        "\(name) refuses a cross-site write with 403, which its 403 does not say")
                }
                let ambiguous = try await client.send(
                    method.uppercased(), target, form: form, headers: ["Cookie": "session_id=one; session_id=two"])
                if ambiguous.status == 400
                    && ambiguous.json["message"]?.hasPrefix("several different session_id") == true
                {
                    refusedAsAmbiguous += 1
                    #expect(
                        Self.description(of: "400", in: operation, document)?.contains("session_id") == true,
                        "\(name) answers two different session_id cookies 400, which its 400 does not say")
                }
            }
        }
        // Every write but the gate's checks, and every route that reads the cookie: not a vacuous pass.
        #expect(refusedAsCrossSite >= 15)
        #expect(refusedAsAmbiguous >= 15)
    }

    /// The description of response `status` of `operation`, a `$ref` followed; nil when it lists none.
    static func description(of status: String, in operation: [String: Any], _ document: [String: Any]) -> String? {
        guard let response = (operation["responses"] as? [String: Any])?[status] as? [String: Any] else { return nil }
        guard let reference = response["$ref"] as? String else { return response["description"] as? String }
        let name = reference.split(separator: "/").last.map(String.init) ?? ""
        let shared = (document["components"] as? [String: Any])?["responses"] as? [String: Any]
        return (shared?[name] as? [String: Any])?["description"] as? String
    }
}
