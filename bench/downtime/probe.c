/*
 * probe.c: the downtime benchmark's probe (bench/downtime/, docs/downtime.md)
 *
 *   probe BRIDGE ADDRESS RATE OUTPUT
 *
 * Sends ICMP echo requests to ADDRESS at RATE per second, from the moment it
 * starts until SIGINT or SIGTERM, and then writes OUTPUT: one line a request,
 *   SEQ SENT_NS ANSWERED_NS IFINDEX
 * with CLOCK_REALTIME nanoseconds (ANSWERED_NS 0: never answered) and the
 * bridge port the answer entered the bridge by (the guest NIC's tap, 0 when
 * not seen). It runs inside the benchmark's network namespace, where
 * BRIDGE is the Linux bridge both guest NICs are plugged into; it never
 * sends anywhere else. Requests leave by a raw ICMP socket; answers are read
 * by a packet socket on every interface, so both the bridge port (where the
 * answer came from) and the bridge itself see them. Needs CAP_NET_RAW.
 * Prints "probe: ready" on stdout once the first request is out.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <linux/icmp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROBE_MAX_SECONDS 3600

typedef struct {
    int64_t sent_ns;
    int64_t answered_ns;
    int ifindex;
} probe_record;

static volatile sig_atomic_t probe_stop;

static void
probe_on_signal(int sig)
{
    (void)sig;
    probe_stop = 1;
}

static int64_t
probe_now(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The Internet checksum (RFC 1071) of @len bytes at @data */
static uint16_t
probe_checksum(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t sum = 0;

    for (; len > 1; p += 2, len -= 2)
        sum += (uint32_t)p[0] << 8 | p[1];
    if (len)
        sum += (uint32_t)p[0] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return htons((uint16_t)~sum);
}

/* One echo request: the header, then the 32-bit sequence number (the header's is 16 bits) */
typedef struct {
    struct icmphdr hdr;
    uint32_t seq;
} probe_echo;

static int
probe_send(int fd, const struct sockaddr_in *to, uint16_t id, uint32_t seq)
{
    probe_echo echo;

    memset(&echo, 0, sizeof(echo));
    echo.hdr.type = ICMP_ECHO;
    echo.hdr.un.echo.id = htons(id);
    echo.hdr.un.echo.sequence = htons((uint16_t)seq);
    echo.seq = htonl(seq);
    echo.hdr.checksum = probe_checksum(&echo, sizeof(echo));
    return sendto(fd, &echo, sizeof(echo), 0, (const struct sockaddr *)to, sizeof(*to)) ==
                   (ssize_t)sizeof(echo)
               ? 0
               : -1;
}

/* Reads one frame from the packet socket; records it when it is an answer of ours */
static void
probe_receive(int fd, uint16_t id, in_addr_t from, int bridge, probe_record *records, uint32_t sent)
{
    uint8_t buf[2048];
    struct sockaddr_ll ll;
    socklen_t lllen = sizeof(ll);
    const struct iphdr *ip = (const struct iphdr *)buf;
    const probe_echo *echo;
    probe_record *r;
    ssize_t n;
    uint32_t seq;

    n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&ll, &lllen);
    if (n < (ssize_t)sizeof(*ip) || ll.sll_pkttype == PACKET_OUTGOING ||
        ll.sll_protocol != htons(ETH_P_IP))
        return;
    if (ip->protocol != IPPROTO_ICMP || ip->saddr != from ||
        n < (ssize_t)(ip->ihl * 4 + sizeof(*echo)))
        return;
    echo = (const probe_echo *)(buf + ip->ihl * 4);
    if (echo->hdr.type != ICMP_ECHOREPLY || ntohs(echo->hdr.un.echo.id) != id)
        return;
    seq = ntohl(echo->seq);
    if (seq >= sent)
        return;
    r = &records[seq];
    if (r->answered_ns == 0)
        r->answered_ns = probe_now(CLOCK_REALTIME);
    /* the port the answer entered by; the bridge itself sees it too, afterwards */
    if (ll.sll_ifindex != bridge && r->ifindex == 0)
        r->ifindex = ll.sll_ifindex;
}

int
main(int argc, char **argv)
{
    struct sockaddr_in to = { .sin_family = AF_INET };
    struct sigaction sa;
    probe_record *records;
    uint32_t max;
    uint32_t sent = 0;
    uint16_t id = (uint16_t)getpid();
    int64_t period_ns;
    int64_t start;
    int icmp;
    int packet;
    int bridge;
    long rate;
    FILE *out;
    uint32_t i;

    if (argc != 5) {
        fprintf(stderr, "usage: probe BRIDGE ADDRESS RATE OUTPUT\n");
        return 2;
    }
    bridge = (int)if_nametoindex(argv[1]);
    rate = strtol(argv[3], NULL, 10);
    if (bridge == 0 || inet_pton(AF_INET, argv[2], &to.sin_addr) != 1 || rate < 1 || rate > 10000) {
        fprintf(stderr, "probe: need an existing bridge, an IPv4 address and a rate of 1-10000\n");
        return 2;
    }
    period_ns = 1000000000 / rate;
    max = (uint32_t)(rate * PROBE_MAX_SECONDS);
    records = calloc(max, sizeof(*records));
    icmp = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    /* ETH_P_ALL: a bridge port's frames reach only the taps that see them before the bridge */
    packet = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
    if (!records || icmp < 0 || packet < 0) {
        perror("probe: socket (needs CAP_NET_RAW)");
        return 1;
    }
    {
        /* the raw socket only sends: it takes no ICMP message in (a filter of every type) */
        struct icmp_filter filter = { .data = ~0U };

        setsockopt(icmp, SOL_RAW, ICMP_FILTER, &filter, sizeof(filter));
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = probe_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    start = probe_now(CLOCK_MONOTONIC);
    while (!probe_stop && sent < max) {
        int64_t next = start + (int64_t)sent * period_ns;
        int64_t now = probe_now(CLOCK_MONOTONIC);
        struct pollfd pfd = { .fd = packet, .events = POLLIN };

        if (now >= next) {
            records[sent].sent_ns = probe_now(CLOCK_REALTIME);
            if (probe_send(icmp, &to, id, sent) < 0 && errno != EHOSTUNREACH && errno != ENOBUFS)
                perror("probe: sendto");
            if (++sent == 1) {
                printf("probe: ready\n");
                fflush(stdout);
            }
            continue;
        }
        if (poll(&pfd, 1, (int)((next - now + 999999) / 1000000)) > 0)
            probe_receive(packet, id, to.sin_addr.s_addr, bridge, records, sent);
    }
    /* the last answers: what is not back after 200 ms counts as lost */
    for (start = probe_now(CLOCK_MONOTONIC); probe_now(CLOCK_MONOTONIC) - start < 200000000;) {
        struct pollfd pfd = { .fd = packet, .events = POLLIN };

        if (poll(&pfd, 1, 20) > 0)
            probe_receive(packet, id, to.sin_addr.s_addr, bridge, records, sent);
    }
    if (!(out = fopen(argv[4], "w"))) {
        perror(argv[4]);
        return 1;
    }
    for (i = 0; i < sent; i++)
        fprintf(out, "%u %lld %lld %d\n", i, (long long)records[i].sent_ns,
                (long long)records[i].answered_ns, records[i].ifindex);
    if (fclose(out) != 0) {
        perror(argv[4]);
        return 1;
    }
    free(records);
    return 0;
}
