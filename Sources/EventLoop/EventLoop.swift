/// Placeholder until the reactor lands.
public enum EventLoopModule {}
