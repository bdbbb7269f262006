/// libFuzzer entry: the first byte picks the decoder, the rest is its input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 8 {
    case 0, 1, 2, 3: fuzzParser(input)
    default: fuzzDecoders(selector: data[0] % 8, input)
    }
    return 0
}
