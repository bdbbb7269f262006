import Testing

/// The fault suites that start hundreds of clients or kill processes run one after another:
/// together on two cores they starve each other and every time bound turns into a coin toss.
@Suite(.serialized) struct HeavyFaultSuites {}
