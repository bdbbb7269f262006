/// What a registered file descriptor belongs to, so one epoll event finds its owner.
enum Source {
    case connection(Connection)
    case listener(Listener)
    case wakeup
    case signals(SignalSource)
}
