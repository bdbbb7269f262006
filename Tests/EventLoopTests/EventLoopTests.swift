import Testing

/// Parent of every suite in this target. Serialized because several tests count process-wide
/// file descriptors or lower RLIMIT_NOFILE, which tests running beside them would disturb.
@Suite(.serialized) struct EventLoopTests {}
