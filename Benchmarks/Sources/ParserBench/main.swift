#if canImport(Glibc)
    import Glibc
#endif

// Runs both parsers on the same inputs, interleaved, best of several rounds (the machine is noisy).
let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 200_000 : 200_000
// An optional second argument ("browser" or "form") runs one input only, e.g. under callgrind.
let only = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : nil
let rounds = 7

func seconds(_ body: () -> Int) -> (Double, Int) {
    var start = timespec()
    var end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    let checksum = body()
    clock_gettime(CLOCK_MONOTONIC, &end)
    return (Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9, checksum)
}

func format(_ value: Double, _ decimals: Int) -> String {
    var scaled = value
    for _ in 0..<decimals { scaled *= 10 }
    let rounded = Int(scaled.rounded())
    var divisor = 1
    for _ in 0..<decimals { divisor *= 10 }
    let fraction = String(rounded % divisor)
    return decimals == 0
        ? String(rounded)
        : "\(rounded / divisor).\(String(repeating: "0", count: decimals - fraction.count))\(fraction)"
}

func pad(_ s: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - s.count)) + s
}

let swiftParser = SwiftParserRun()
let nodeParser = NodeParserRun()
var sink = 0
print("iterations per round: \(iterations), best of \(rounds) rounds")
print("input          bytes  parser            req/s        MB/s   ns/req")
for (name, input) in [("browser GET", Inputs.browserGet), ("form POST", Inputs.formPost)]
where only.map({ name.hasPrefix($0) }) ?? true {
    var bestSwift = Double.infinity
    var bestNode = Double.infinity
    for _ in 0..<rounds {
        let (s, a) = seconds { swiftParser.run(input, iterations: iterations) }
        let (n, b) = seconds { nodeParser.run(input, iterations: iterations) }
        bestSwift = min(bestSwift, s)
        bestNode = min(bestNode, n)
        sink &+= a &+ b
    }
    for (label, time) in [("authd Swift", bestSwift), ("http-parser C", bestNode)] {
        let rate = Double(iterations) / time
        print(
            name.padding(13) + pad(String(input.count), 7) + "  " + label.padding(14)
                + pad(format(rate, 0), 11) + pad(format(rate * Double(input.count) / 1e6, 1), 12)
                + pad(format(time / Double(iterations) * 1e9, 0), 9))
    }
    print("  → Swift / C throughput ratio: \(format(bestNode / bestSwift, 2))")
}
// Printing the checksums keeps the optimiser from dropping either parser's work.
print("checksum \(sink)")

extension String {
    func padding(_ width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
