import Testing

@testable import AuthService

/// The rule against open redirects: where a login may send the browser.
@Suite struct RedirectPolicyTests {
    let policy = RedirectPolicy(
        cookieDomain: HostName(parsing: "example.com"), allowedHosts: [HostName(parsing: "partner.org")!])

    @Test func theCookieDomainItsSubdomainsAndNamedHostsAreAllowedOverHTTPS() {
        #expect(policy.target("https://example.com/") == "https://example.com/")
        #expect(policy.target("https://app.example.com/a?b=c#d") == "https://app.example.com/a?b=c#d")
        #expect(policy.target("https://deep.app.example.com") == "https://deep.app.example.com")
        #expect(policy.target("HTTPS://App.Example.COM:8443/Path") == "https://app.example.com:8443/Path")
        #expect(policy.target("https://partner.org/x") == "https://partner.org/x")
    }

    @Test func foreignAndLookAlikeHostsAreRefused() {
        for target in [
            "https://evil.com/", "https://example.com.evil.com/", "https://evilexample.com/",
            "https://sub.partner.org/", "https://example.com./", "https://.example.com/", "https://127.0.0.1/",
            "https://[::1]/", "https://exa%6Dple.com/", "https://exämple.com/", "https://example.com:0/",
            "https://example.com:65536/", "https://example.com:/", "https://example.com:8a/",
        ] {
            #expect(policy.target(target) == nil, "\(target)")
        }
    }

    @Test func otherSchemesAndRelativeFormsAreRefused() {
        for target in [
            "javascript:alert(1)", "JavaScript://example.com/%0Aalert(1)", "data:text/html,x", "//evil.com/",
            "///evil.com", "/account", "example.com/x", "ftp://example.com/", "https:example.com", "https:/example.com",
            "http://example.com/", "", " https://example.com/",
        ] {
            #expect(policy.target(target) == nil, "\(target)")
        }
    }

    @Test func userInfoBackslashesAndControlBytesAreRefusedNotRepaired() {
        for target in [
            "https://example.com@evil.com/", "https://evil.com@example.com/", "https://user:pw@example.com/",
            "https://evil.com\\@example.com/", "https://example.com\\evil.com", "https:\\\\evil.com",
            "https://example.com\t.evil.com/", "https://exa\nmple.com/", "https://example.com/\r\nSet-Cookie: x",
            "https://example.com/ space", "https://example.com/\u{7F}",
        ] {
            #expect(policy.target(target) == nil, "\(target)")
        }
    }

    @Test func plainHTTPOnlyWhenThePortalIsPlainHTTP() {
        var open = policy
        open.allowsPlainHTTP = true
        #expect(open.target("http://app.example.com/") == "http://app.example.com/")
        #expect(open.target("https://app.example.com/") == "https://app.example.com/")
        #expect(policy.target("http://app.example.com/") == nil)
        let config = GateConfiguration(
            portalURL: PortalURL(parsing: "http://auth.example.com:9091"),
            cookieDomain: HostName(parsing: "example.com"))
        #expect(config.redirectPolicy.target("http://app.example.com/") == "http://app.example.com/")
    }

    @Test func withNothingConfiguredNothingIsAllowed() {
        #expect(RedirectPolicy().target("https://example.com/") == nil)
    }

    @Test func overlongTargetsAreRefused() {
        let long = "https://example.com/" + String(repeating: "a", count: RedirectPolicy.maximumBytes)
        #expect(policy.target(long) == nil)
    }

    @Test func hostNamesAndPortalURLsAreReadStrictly() {
        #expect(HostName(parsing: ".Example.COM")?.text == "example.com")
        for bad in [
            "", ".", "a..b", "a b", "a_b.com", "exämple.com", "a.com.", "1.2.3.4:80", "[::1]", "1.2.3.4", "0x7f.1",
            "a.b.123",
        ] {
            #expect(HostName(parsing: bad) == nil, "\(bad)")
        }
        #expect(PortalURL(parsing: "https://Auth.Example.com/")?.base == "https://auth.example.com")
        #expect(PortalURL(parsing: "http://127.0.0.1:9091")?.isPlainHTTP == true)
        for bad in [
            "auth.example.com", "ftp://x", "https://", "https://u@x", "https://x/?a", "https://x/#a", "https:// x",
        ] {
            #expect(PortalURL(parsing: bad) == nil, "\(bad)")
        }
    }
}
