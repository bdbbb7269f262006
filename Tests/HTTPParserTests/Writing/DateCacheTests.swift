import HTTPParser
import Testing

@Suite struct DateCacheTests {
    @Test func formatsIMFFixdate() {
        #expect(
            String(decoding: DateCache(clock: { 784_111_777 }).bytes, as: UTF8.self) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(String(decoding: DateCache(clock: { 0 }).bytes, as: UTF8.self) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(
            String(decoding: DateCache(clock: { 1_709_251_199 }).bytes, as: UTF8.self)
                == "Thu, 29 Feb 2024 23:59:59 GMT")
    }

    @Test func reformatsOnlyWhenTheSecondChanges() {
        final class Clock: @unchecked Sendable {
            var now = 1_000_000_000
        }
        let clock = Clock()
        let cache = DateCache(clock: { clock.now })
        let first = cache.bytes
        #expect(cache.bytes == first)
        clock.now += 1
        #expect(cache.bytes != first)
        #expect(String(decoding: cache.bytes, as: UTF8.self) == "Sun, 09 Sep 2001 01:46:41 GMT")
    }

    @Test func theWallClockValueHasTheFixedLength() {
        let value = String(decoding: DateCache().bytes, as: UTF8.self)
        #expect(value.utf8.count == 29)
        #expect(value.hasSuffix(" GMT"))
    }
}
