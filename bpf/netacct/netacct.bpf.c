// SPDX-License-Identifier: GPL-2.0-only
//go:build ignore

// Per-process, per-peer network accounting. Bytes and calls are counted at
// the socket layer (sock_send_length / sock_recv_length tracepoints, which
// sit under every sendmsg/recvmsg path: write, sendfile and splice to a
// socket, zero-copy sends and in-kernel senders), aggregated in a per-CPU
// hash keyed by process and remote endpoint. TCP reads are measured by how
// far the reader's sequence number advanced, which also covers splice and
// zero-copy receive. TCP's own byte counters are sampled when a connection
// closes so the two layers can be compared.

#include "netacct.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define MSG_PEEK 2
#define TCP_CLOSE 7
#define SOCK_DONE 1
#define TCP_ESTABLISHED 1

// Counter slots of the stats array.
enum {
	ST_CALLS = 0,     // socket calls accounted
	ST_FLOW_FULL = 1, // flow map full: call not accounted
	ST_SOCK_FULL = 2, // socket owner storage could not be created
	ST_NO_PEER = 3,   // unconnected UDP call with no known peer
	ST_TCP_FULL = 4,  // TCP close map full
	ST_MAX = 8,
};

struct flow_key {
	__u32 tgid;
	__u16 port; // remote port, host order
	__u8 family;
	__u8 proto;
	__u8 addr[16];
	char comm[16];
};

struct flow_val {
	__u64 tx_bytes;
	__u64 rx_bytes;
	__u64 tx_calls;
	__u64 rx_calls;
	__u64 conns;
};

struct tcp_val {
	__u64 sent;     // tcp_sock.bytes_sent - bytes_retrans
	__u64 received; // tcp_sock.bytes_received
	__u64 acked;    // tcp_sock.bytes_acked (counts SYN and FIN too)
	__u64 closed;   // connections closed
};

struct owner {
	__u32 tgid;
	__u32 seq; // TCP: copied_seq up to which reads were accounted
	char comm[16];
	__u8 seq_valid;
	__u8 fin; // the FIN's sequence number was discounted
	__u8 pad[6];
};

struct peer {
	__u8 addr[16];
	__u16 port;
	__u8 family;
	__u8 dir; // 1: source of a received datagram, 0: destination of a sent one
	__u8 pad[4];
};

const struct flow_key *unused_flow_key __attribute__((unused));
const struct flow_val *unused_flow_val __attribute__((unused));
const struct tcp_val *unused_tcp_val __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct flow_key);
	__type(value, struct flow_val);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct flow_key);
	__type(value, struct tcp_val);
} tcp_closed SEC(".maps");

// Owner of each socket that carried traffic, kept in the socket itself
// (freed with it).
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct owner);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct peer);
} udp_peer SEC(".maps");

struct rx_pending {
	__u64 bytes;
	__u64 calls;
	__u64 uaddr; // user pointer: sockaddr (recvfrom) or msghdr (recvmsg)
	__u8 is_msghdr;
	__u8 armed; // a recvfrom/recvmsg entry was seen
	__u8 pad[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct rx_pending);
} udp_rx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ST_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

// process_name writes the name of the current process (its main thread's
// comm, as thread names may differ) to comm.
static __always_inline void process_name(char *comm)
{
	struct task_struct *l = bpf_get_current_task_btf()->group_leader;
	*(__u64 *)comm = *(__u64 *)&l->comm[0];
	*(__u64 *)(comm + 8) = *(__u64 *)&l->comm[8];
}

static __always_inline void bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &slot);
	if (v)
		*v += 1;
}

// fill_peer writes the remote endpoint of a connected socket into k and
// reports whether there was one.
static __always_inline int fill_peer(struct sock *sk, struct flow_key *k)
{
	__u16 family = sk->__sk_common.skc_family;
	k->family = family;
	k->port = bpf_ntohs(sk->__sk_common.skc_dport);
	if (family == AF_INET) {
		__be32 a = sk->__sk_common.skc_daddr;
		__builtin_memcpy(k->addr, &a, 4);
		return a != 0;
	}
	struct in6_addr a6 = sk->__sk_common.skc_v6_daddr;
	__builtin_memcpy(k->addr, &a6, 16);
	return (a6.in6_u.u6_addr32[0] | a6.in6_u.u6_addr32[1] | a6.in6_u.u6_addr32[2] |
		a6.in6_u.u6_addr32[3]) != 0;
}

static __always_inline void add_flow(struct flow_key *k, int rx, __u64 bytes, __u64 calls, __u64 newconn)
{
	struct flow_val *v = bpf_map_lookup_elem(&flows, k);
	if (!v) {
		struct flow_val zero = {};
		bpf_map_update_elem(&flows, k, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&flows, k);
		if (!v) {
			bump(ST_FLOW_FULL);
			return;
		}
	}
	if (rx) {
		v->rx_bytes += bytes;
		v->rx_calls += calls;
	} else {
		v->tx_bytes += bytes;
		v->tx_calls += calls;
	}
	v->conns += newconn;
}

// tcp_read_bytes returns how far the reader of a TCP socket advanced since
// the last call (copied_seq), without the sequence number a consumed FIN
// takes. This covers every way of reading: recvmsg, splice, zero-copy
// receive.
static __always_inline __u32 tcp_read_bytes(struct sock *sk, struct owner *o)
{
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;
	__u32 copied = BPF_CORE_READ(tp, copied_seq);
	__u32 d = copied - o->seq;
	o->seq = copied;
	if (d && !o->fin && ((BPF_CORE_READ(sk, __sk_common.skc_flags) >> SOCK_DONE) & 1) &&
	    copied == BPF_CORE_READ(tp, rcv_nxt)) {
		o->fin = 1;
		d -= 1;
	}
	return d;
}

static __always_inline int account(struct sock *sk, int ret, int rx)
{
	if (!sk || ret <= 0)
		return 0;
	__u16 family = sk->__sk_common.skc_family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	__u16 proto = sk->sk_protocol;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return 0;

	struct flow_key k = {};
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	k.tgid = id >> 32;
	k.proto = proto;
	process_name(k.comm);
	int connected = fill_peer(sk, &k);
	int known = connected;
	if (proto == IPPROTO_UDP) {
		if (!connected && rx) {
			struct rx_pending *r = bpf_map_lookup_elem(&udp_rx, &tid);
			if (r && r->armed) {
				// accounted at the syscall's exit, once the source is known
				r->bytes += ret;
				r->calls += 1;
				bump(ST_CALLS);
				return 0;
			}
		}
		struct peer *p = bpf_map_lookup_elem(&udp_peer, &tid);
		if (p) {
			if (!connected && p->dir == rx) {
				__builtin_memcpy(k.addr, p->addr, 16);
				k.port = p->port;
				k.family = p->family;
				known = 1;
			}
			bpf_map_delete_elem(&udp_peer, &tid);
		}
		if (!known)
			bump(ST_NO_PEER);
	}
	if (!known) {
		// unknown peer: one entry per process and protocol
		__builtin_memset(k.addr, 0, sizeof(k.addr));
		k.family = 0;
		k.port = 0;
	}
	bump(ST_CALLS);

	int newconn = 0;
	struct owner *o = 0;
	if (connected) {
		o = bpf_sk_storage_get(&socks, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (!o) {
			bump(ST_SOCK_FULL);
		} else if (o->tgid != k.tgid) {
			o->tgid = k.tgid;
			__builtin_memcpy(o->comm, k.comm, sizeof(o->comm));
			newconn = 1;
		}
	}

	__u64 bytes = ret;
	if (rx && proto == IPPROTO_TCP && o) {
		if (!o->seq_valid) {
			const struct tcp_sock *tp = (const struct tcp_sock *)sk;
			o->seq = BPF_CORE_READ(tp, copied_seq) - ret;
			o->seq_valid = 1;
		}
		bytes = tcp_read_bytes(sk, o);
	}
	add_flow(&k, rx, bytes, 1, newconn);
	return 0;
}

// read_sockaddr reads an IPv4 or IPv6 socket address from user memory.
static __always_inline int read_sockaddr(const void *uaddr, struct peer *p)
{
	if (!uaddr)
		return 0;
	struct sockaddr_in6 sa = {};
	if (bpf_probe_read_user(&sa, sizeof(sa), uaddr))
		return 0;
	if (sa.sin6_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;
		__builtin_memcpy(p->addr, &s4->sin_addr, 4);
	} else if (sa.sin6_family == AF_INET6) {
		__builtin_memcpy(p->addr, &sa.sin6_addr, 16);
	} else {
		return 0;
	}
	p->family = sa.sin6_family;
	p->port = bpf_ntohs(sa.sin6_port);
	return 1;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(on_send, struct sock *sk, int ret, int flags)
{
	return account(sk, ret, 0);
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(on_recv, struct sock *sk, int ret, int flags)
{
	if (flags & MSG_PEEK)
		return 0;
	return account(sk, ret, 1);
}

// TCP reads that do not pass through sock_recvmsg (splice, zero-copy
// receive) end with tcp_rcv_space_adjust; recvmsg calls it too, before
// sock_recv_length, which then finds nothing left to add but the call.
SEC("tp_btf/tcp_rcv_space_adjust")
int BPF_PROG(on_space_adjust, struct sock *sk)
{
	struct owner *o = bpf_sk_storage_get(&socks, sk, 0, 0);
	if (!o || !o->seq_valid)
		return 0;
	__u32 d = tcp_read_bytes(sk, o);
	if (!d)
		return 0;
	struct flow_key k = {};
	__u64 id = bpf_get_current_pid_tgid();
	k.tgid = id >> 32;
	k.proto = IPPROTO_TCP;
	process_name(k.comm);
	if (!fill_peer(sk, &k))
		return 0;
	add_flow(&k, 1, d, 0, 0);
	return 0;
}

// stash_sockaddr remembers the destination given to sendto/sendmsg so that an
// unconnected UDP send can be attributed to its peer.
static __always_inline void stash_sockaddr(const void *uaddr)
{
	struct peer p = {};
	if (!read_sockaddr(uaddr, &p))
		return;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&udp_peer, &tid, &p, BPF_ANY);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int on_sendto(struct syscall_trace_enter *ctx)
{
	stash_sockaddr((const void *)ctx->args[4]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int on_sendmsg(struct syscall_trace_enter *ctx)
{
	struct user_msghdr m = {};
	if (bpf_probe_read_user(&m, sizeof(m), (const void *)ctx->args[1]))
		return 0;
	stash_sockaddr(m.msg_name);
	return 0;
}

// stash_headers remembers a peer read from an IP/UDP packet's headers for
// the socket call that follows on this thread. src selects the source
// (received packet) or the destination (sent packet).
static __always_inline void stash_headers(const struct sk_buff *skb, int src)
{
	unsigned char *head = skb->head;
	__u16 nh = skb->network_header;
	__u16 th = skb->transport_header;
	__u8 b0 = 0;
	if (bpf_probe_read_kernel(&b0, 1, head + nh))
		return;
	struct peer p = {};
	__u8 l4 = 0;
	if ((b0 >> 4) == 4) {
		if (bpf_probe_read_kernel(&l4, 1, head + nh + 9) || l4 != IPPROTO_UDP)
			return;
		bpf_probe_read_kernel(p.addr, 4, head + nh + (src ? 12 : 16));
		p.family = AF_INET;
	} else if ((b0 >> 4) == 6) {
		if (bpf_probe_read_kernel(&l4, 1, head + nh + 6) || l4 != IPPROTO_UDP)
			return;
		bpf_probe_read_kernel(p.addr, 16, head + nh + (src ? 8 : 24));
		p.family = AF_INET6;
	} else {
		return;
	}
	__be16 port = 0;
	bpf_probe_read_kernel(&port, 2, head + th + (src ? 0 : 2));
	p.port = bpf_ntohs(port);
	p.dir = src;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&udp_peer, &tid, &p, BPF_ANY);
}

// An unconnected UDP send reaches the device queue in the sender's context,
// before sock_send_length: the packet's destination is the peer.
SEC("tp_btf/net_dev_queue")
int BPF_PROG(on_dev_queue, struct sk_buff *skb)
{
	struct sock *sk = skb->sk;
	if (!sk || sk->sk_protocol != IPPROTO_UDP)
		return 0;
	if (sk->__sk_common.skc_family == AF_INET && sk->__sk_common.skc_daddr != 0)
		return 0;
	stash_headers(skb, 0);
	return 0;
}

// A non-linear datagram is copied to user space with skb_copy_datagram_iter
// before sock_recv_length: its source is the peer. (Linear ones are copied
// without a tracepoint; see the recvfrom/recvmsg programs.)
SEC("tp_btf/skb_copy_datagram_iovec")
int BPF_PROG(on_copy, const struct sk_buff *skb, int len)
{
	// Received TCP segments are owned by their socket; datagrams are not.
	struct sock *sk = skb->sk;
	if (sk && sk->sk_protocol == IPPROTO_TCP)
		return 0;
	stash_headers(skb, 1);
	return 0;
}

// Sources of datagrams read from unconnected sockets: sock_recv_length
// leaves the call pending on its thread, and the exit of recvfrom/recvmsg
// reads the source address the kernel wrote to user memory.
static __always_inline void arm_rx(__u64 uaddr, __u8 is_msghdr)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct rx_pending r = {.uaddr = uaddr, .is_msghdr = is_msghdr, .armed = 1};
	bpf_map_update_elem(&udp_rx, &tid, &r, BPF_ANY);
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int on_recvfrom_enter(struct syscall_trace_enter *ctx)
{
	arm_rx(ctx->args[4], 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int on_recvmsg_enter(struct syscall_trace_enter *ctx)
{
	arm_rx(ctx->args[1], 1);
	return 0;
}

static __always_inline int finish_rx(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct rx_pending *r = bpf_map_lookup_elem(&udp_rx, &tid);
	if (!r)
		return 0;
	struct rx_pending rp = *r;
	bpf_map_delete_elem(&udp_rx, &tid);
	if (!rp.calls)
		return 0;
	struct flow_key k = {};
	k.tgid = id >> 32;
	k.proto = IPPROTO_UDP;
	process_name(k.comm);
	const void *ua = (const void *)rp.uaddr;
	if (rp.is_msghdr && ua) {
		struct user_msghdr m = {};
		ua = 0;
		if (!bpf_probe_read_user(&m, sizeof(m), (const void *)rp.uaddr))
			ua = m.msg_name;
	}
	struct peer p = {};
	if (read_sockaddr(ua, &p)) {
		__builtin_memcpy(k.addr, p.addr, 16);
		k.port = p.port;
		k.family = p.family;
	} else {
		bump(ST_NO_PEER);
	}
	add_flow(&k, 1, rp.bytes, rp.calls, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int on_recvfrom_exit(void *ctx)
{
	return finish_rx();
}

SEC("tracepoint/syscalls/sys_exit_recvmsg")
int on_recvmsg_exit(void *ctx)
{
	return finish_rx();
}

// When a TCP socket that carried traffic closes, add TCP's own byte counters
// to tcp_closed under the socket's owner.
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_state, const struct sock *sk, const int oldstate, const int newstate)
{
	if (newstate == TCP_ESTABLISHED && sk->sk_protocol == IPPROTO_TCP) {
		// Start counting reads from the first byte of the connection.
		struct owner *o = bpf_sk_storage_get(&socks, (struct sock *)sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (o && !o->seq_valid) {
			const struct tcp_sock *tp = (const struct tcp_sock *)sk;
			o->seq = BPF_CORE_READ(tp, copied_seq);
			o->seq_valid = 1;
		}
		return 0;
	}
	if (newstate != TCP_CLOSE || sk->sk_protocol != IPPROTO_TCP)
		return 0;
	struct owner *o = bpf_sk_storage_get(&socks, (struct sock *)sk, 0, 0);
	if (!o || !o->tgid)
		return 0;
	struct flow_key k = {};
	k.tgid = o->tgid;
	__builtin_memcpy(k.comm, o->comm, sizeof(k.comm));
	k.proto = IPPROTO_TCP;
	fill_peer((struct sock *)sk, &k);
	o->tgid = 0; // a socket reused after close counts as a new connection
	o->seq_valid = 0;
	o->fin = 0;

	const struct tcp_sock *tp = (const struct tcp_sock *)sk;
	__u64 sent = BPF_CORE_READ(tp, bytes_sent) - BPF_CORE_READ(tp, bytes_retrans);
	// bytes_received also counts the sequence number of a received FIN,
	// which sets SOCK_DONE.
	__u64 recvd = BPF_CORE_READ(tp, bytes_received);
	if ((BPF_CORE_READ(sk, __sk_common.skc_flags) >> SOCK_DONE) & 1)
		recvd -= 1;
	__u64 acked = BPF_CORE_READ(tp, bytes_acked);
	struct tcp_val *v = bpf_map_lookup_elem(&tcp_closed, &k);
	if (!v) {
		struct tcp_val zero = {};
		bpf_map_update_elem(&tcp_closed, &k, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&tcp_closed, &k);
		if (!v) {
			bump(ST_TCP_FULL);
			return 0;
		}
	}
	__sync_fetch_and_add(&v->sent, sent);
	__sync_fetch_and_add(&v->received, recvd);
	__sync_fetch_and_add(&v->acked, acked);
	__sync_fetch_and_add(&v->closed, 1);
	return 0;
}
