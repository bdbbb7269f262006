// Linux calls that Glibc's Swift overlay does not expose cleanly.
#ifndef CLINUX_H
#define CLINUX_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>

// Glibc imports `struct epoll_event` as packed on x86_64, which Swift cannot build field by field;
// these keep the packing in C. What goes in `data` is the Swift side's business (see Poller).
static inline int clinux_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event = { .events = events, .data = { .u64 = data } };
    return epoll_ctl(epfd, op, fd, &event);
}

static inline uint64_t clinux_epoll_event_data(const struct epoll_event *events, int index) {
    return events[index].data.u64;
}

static inline uint32_t clinux_epoll_event_mask(const struct epoll_event *events, int index) {
    return events[index].events;
}

static inline size_t clinux_epoll_event_size(void) { return sizeof(struct epoll_event); }

// accept4 is declared only under _GNU_SOURCE, which the Glibc module is not built with.
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

// Accepts one connection as nonblocking and close-on-exec; -1 with errno as accept4.
static inline int clinux_accept_nonblocking(int fd) {
    return accept4(fd, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

// The RLIMIT_NOFILE enum type differs between glibc feature sets; take plain integers instead.
static inline int clinux_get_nofile(uint64_t *soft, uint64_t *hard) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    *soft = limit.rlim_cur;
    *hard = limit.rlim_max;
    return 0;
}

static inline int clinux_set_nofile(uint64_t soft, uint64_t hard) {
    struct rlimit limit = { .rlim_cur = soft, .rlim_max = hard };
    return setrlimit(RLIMIT_NOFILE, &limit);
}

#endif
