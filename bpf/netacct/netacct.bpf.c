// SPDX-License-Identifier: GPL-2.0-only
//go:build ignore

// Per-process, per-peer network accounting. Bytes and calls are counted at
// the socket layer (sock_send_length / sock_recv_length tracepoints, which
// sit under every sendmsg/recvmsg path: write, sendfile and splice to a
// socket, zero-copy sends and in-kernel senders) and summed per process and
// remote endpoint in a per-CPU hash.
//
// TCP, the bulk of the traffic, costs no hashing per call: each call adds to
// counters kept in the socket itself (socket-local storage) for the process
// that owns it. They are folded into the hash when the connection closes,
// when another process takes the socket over, and before user space reads
// the hash (an iterator over every socket's storage). TCP reads are measured
// by how far the socket's copied sequence number advanced, caught up at each
// receive call and at each fold, which also covers splice and zero-copy
// receive. TCP's own byte counters are sampled when a connection closes so
// the two layers can be compared.
//
// Optionally, the time each send and receive system call takes is counted
// per process in log-linear histograms (per-CPU hash), from the syscalls'
// own tracepoints, which run only for those calls.
//
// Unconnected UDP sockets name their peer per call: the cgroup sendmsg and
// recvmsg hooks (attached to the root cgroup, run only for such calls) see
// the destination or source address and leave it to the socket call that
// follows on the same thread.

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
#define TCP_SYN_SENT 2
#define TCP_LISTEN 10

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
	__u32 fin; // the FIN's sequence number was discounted
	// The owner was inferred from connect() or listen() (children of a
	// listening socket inherit its storage) and has not made a call yet.
	__u32 provisional;
	__u8 seq_valid;
	__u8 pad[7];
	// TCP traffic of the owner not yet folded into flows: added atomically,
	// taken with an atomic exchange by fold.
	__u64 tx_bytes;
	__u64 rx_bytes;
	__u64 tx_calls;
	__u64 rx_calls;
	__u64 conns;
};

// peer is the address an unconnected UDP call named, left by the cgroup
// hook for the socket call that follows on the same thread.
struct peer {
	__u64 cookie; // socket the call is on
	__u32 tid;    // thread making the call
	__u8 addr[16];
	__u16 port;
	__u8 family;
	__u8 dir; // 1: source of a received datagram, 0: destination of a sent one
	__u8 used;
	__u8 pad[7];
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
// (freed with it; copied to the connections a listening socket accepts).
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct owner);
} socks SEC(".maps");

// Per CPU: the peer of the unconnected UDP call in progress. The hook and
// the socket call that reads it run on the same CPU unless the thread
// migrates in between; then thread and socket no longer match and the
// call counts under an unknown peer.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct peer);
} udp_peer SEC(".maps");

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

static __always_inline void bump_by(__u32 slot, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &slot);
	if (v)
		*v += n;
}

static __always_inline void bump(__u32 slot)
{
	bump_by(slot, 1);
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

// flow returns the flow map entry of k, creating it.
static __always_inline struct flow_val *flow(struct flow_key *k)
{
	struct flow_val *v = bpf_map_lookup_elem(&flows, k);
	if (v)
		return v;
	struct flow_val zero = {};
	bpf_map_update_elem(&flows, k, &zero, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&flows, k);
	if (!v)
		bump(ST_FLOW_FULL);
	return v;
}

// add_call counts one call of ret bytes in a flow entry (if any).
static __always_inline void add_call(struct flow_val *v, int rx, int ret)
{
	if (!v)
		return;
	if (rx) {
		v->rx_bytes += ret;
		v->rx_calls += 1;
	} else {
		v->tx_bytes += ret;
		v->tx_calls += 1;
	}
}

// tcp_advance moves the accounted read position of a TCP socket up to its
// copied sequence number and returns the bytes in between, without the
// sequence number a consumed FIN takes. This covers every way of reading:
// recvmsg, splice, zero-copy receive. A compare-and-exchange makes
// concurrent callers (a receive call and a fold) count each byte once.
static __always_inline __u32 tcp_advance(struct sock *sk, struct tcp_sock *tp, struct owner *o)
{
	if (!o->seq_valid)
		return 0;
	__u32 copied = tp->copied_seq;
	__u32 d = 0;
	for (int i = 0; i < 4; i++) {
		__u32 old = o->seq;
		if ((__s32)(copied - old) <= 0)
			return 0;
		if (__sync_val_compare_and_swap(&o->seq, old, copied) == old) {
			d = copied - old;
			break;
		}
	}
	if (d && ((sk->__sk_common.skc_flags >> SOCK_DONE) & 1) && copied == tp->rcv_nxt &&
	    !__atomic_exchange_n(&o->fin, 1, __ATOMIC_RELAXED))
		d -= 1;
	return d;
}

// fold moves the counters kept in a TCP socket's storage to the flow of its
// owner, with the reads not yet accounted when advance is set. Exchanging
// each counter with zero makes concurrent folds (close, iterator, change of
// owner) and concurrent additions safe.
static __always_inline void fold(struct sock *sk, struct owner *o, int advance)
{
	__u64 rxb = __atomic_exchange_n(&o->rx_bytes, 0, __ATOMIC_RELAXED);
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	if (tp && advance)
		rxb += tcp_advance(sk, tp, o);
	__u64 txb = __atomic_exchange_n(&o->tx_bytes, 0, __ATOMIC_RELAXED);
	__u64 txc = __atomic_exchange_n(&o->tx_calls, 0, __ATOMIC_RELAXED);
	__u64 rxc = __atomic_exchange_n(&o->rx_calls, 0, __ATOMIC_RELAXED);
	__u64 conns = __atomic_exchange_n(&o->conns, 0, __ATOMIC_RELAXED);
	if ((txb | rxb) && o->provisional && __atomic_exchange_n(&o->provisional, 0, __ATOMIC_RELAXED))
		conns += 1; // read without a receive call (splice)
	if (!(txb | rxb | txc | rxc | conns))
		return;
	struct flow_key k = {};
	k.tgid = o->tgid;
	__builtin_memcpy(k.comm, o->comm, sizeof(k.comm));
	k.proto = IPPROTO_TCP;
	fill_peer(sk, &k);
	struct flow_val *v = flow(&k);
	if (!v)
		return;
	v->tx_bytes += txb;
	v->rx_bytes += rxb;
	v->tx_calls += txc;
	v->rx_calls += rxc;
	v->conns += conns;
	bump_by(ST_CALLS, txc + rxc);
}

// When socket storage iterators cannot be loaded (a security policy may
// refuse them), user space sets fold_per_call: every TCP call then folds its
// socket's counters into the flow map itself, so the flows stay exact without
// the iterator at the cost of one hashed update per call. Reads that no
// receive call follows (splice) are then counted at the next call, change
// of owner or close.
const volatile __u8 fold_per_call = 0;

// same_owner reports whether the storage belongs to the current process
// under its current name.
static __always_inline int same_owner(struct owner *o, __u32 tgid)
{
	struct task_struct *l = bpf_get_current_task_btf()->group_leader;
	return o->tgid == tgid && *(__u64 *)&o->comm[0] == *(__u64 *)&l->comm[0] &&
	       *(__u64 *)&o->comm[8] == *(__u64 *)&l->comm[8];
}

// account_tcp counts a TCP send or receive call in the socket's storage on
// behalf of the current process, taking the socket over (after folding the
// previous owner's traffic) when another process or name owned it.
static __always_inline int account_tcp(struct sock *sk, int ret, int rx)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return 0;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct owner *o = bpf_sk_storage_get(&socks, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!o) {
		// no storage: count the call directly, without read tracking
		bump(ST_SOCK_FULL);
		struct flow_key k = {.tgid = tgid, .proto = IPPROTO_TCP};
		process_name(k.comm);
		fill_peer(sk, &k);
		add_call(flow(&k), rx, ret);
		bump(ST_CALLS);
		return 0;
	}
	if (!same_owner(o, tgid)) {
		int newconn = o->tgid != tgid || o->provisional;
		// Reads not yet accounted are this call's (or splices by the
		// process taking over): they stay for the new owner.
		if (o->tgid)
			fold(sk, o, 0);
		o->tgid = tgid;
		process_name(o->comm);
		o->provisional = 0;
		if (newconn)
			__sync_fetch_and_add(&o->conns, 1);
	} else if (o->provisional && __atomic_exchange_n(&o->provisional, 0, __ATOMIC_RELAXED)) {
		__sync_fetch_and_add(&o->conns, 1);
	}
	if (!rx) {
		__sync_fetch_and_add(&o->tx_bytes, ret);
		__sync_fetch_and_add(&o->tx_calls, 1);
		if (fold_per_call)
			fold(sk, o, 0);
		return 0;
	}
	if (!o->seq_valid) {
		// a connection older than the probe: count from this read on
		o->seq = tp->copied_seq - ret;
		o->seq_valid = 1;
	}
	__u32 d = tcp_advance(sk, tp, o);
	if (d)
		__sync_fetch_and_add(&o->rx_bytes, d);
	__sync_fetch_and_add(&o->rx_calls, 1);
	if (fold_per_call)
		fold(sk, o, 0);
	return 0;
}

// account_udp counts a UDP call directly in the flow map, under the
// socket's peer or, for an unconnected socket, the address the call named.
static __always_inline int account_udp(struct sock *sk, int ret, int rx)
{
	struct flow_key k = {};
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	k.tgid = id >> 32;
	k.proto = IPPROTO_UDP;
	process_name(k.comm);
	int connected = fill_peer(sk, &k);
	int newconn = 0;
	if (connected) {
		struct owner *o = bpf_sk_storage_get(&socks, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (!o) {
			bump(ST_SOCK_FULL);
		} else if (o->tgid != k.tgid) {
			o->tgid = k.tgid;
			__builtin_memcpy(o->comm, k.comm, sizeof(o->comm));
			newconn = 1;
		}
	} else {
		__u32 zero = 0;
		struct peer *p = bpf_map_lookup_elem(&udp_peer, &zero);
		if (p && !p->used && p->tid == tid && p->dir == rx && p->cookie == bpf_get_socket_cookie(sk)) {
			p->used = 1;
			__builtin_memcpy(k.addr, p->addr, 16);
			k.port = p->port;
			k.family = p->family;
		} else {
			// unknown peer: one entry per process and protocol
			bump(ST_NO_PEER);
			__builtin_memset(k.addr, 0, sizeof(k.addr));
			k.family = 0;
			k.port = 0;
		}
	}
	bump(ST_CALLS);
	struct flow_val *v = flow(&k);
	add_call(v, rx, ret);
	if (v)
		v->conns += newconn;
	return 0;
}

static __always_inline int account(struct sock *sk, int ret, int rx)
{
	if (!sk || ret <= 0)
		return 0;
	__u16 family = sk->__sk_common.skc_family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	__u16 proto = sk->sk_protocol;
	if (proto == IPPROTO_TCP)
		return account_tcp(sk, ret, rx);
	if (proto == IPPROTO_UDP)
		return account_udp(sk, ret, rx);
	return 0;
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

// stash_addr leaves the address of an unconnected UDP call for the socket
// call that follows on this thread. The context allows only the address
// fields of its own family to be read, hence v6. The hooks must allow the
// call: they return 1.
static __always_inline int stash_addr(struct bpf_sock_addr *ctx, __u8 dir, int v6)
{
	__u32 zero = 0;
	struct peer *p = bpf_map_lookup_elem(&udp_peer, &zero);
	if (!p)
		return 1;
	if (v6) {
		// one 4-byte load per word: the context allows no wider ones
		volatile __u32 *w = ctx->user_ip6;
		__u32 *a = (__u32 *)p->addr;
		a[0] = w[0];
		a[1] = w[1];
		a[2] = w[2];
		a[3] = w[3];
		p->family = AF_INET6;
	} else {
		__u32 *a = (__u32 *)p->addr;
		a[0] = ctx->user_ip4;
		a[1] = a[2] = a[3] = 0;
		p->family = AF_INET;
	}
	p->port = bpf_ntohs((__u16)ctx->user_port);
	p->cookie = bpf_get_socket_cookie(ctx);
	p->tid = (__u32)bpf_get_current_pid_tgid();
	p->dir = dir;
	p->used = 0;
	return 1;
}

SEC("cgroup/sendmsg4")
int on_sendmsg4(struct bpf_sock_addr *ctx)
{
	return stash_addr(ctx, 0, 0);
}

SEC("cgroup/sendmsg6")
int on_sendmsg6(struct bpf_sock_addr *ctx)
{
	return stash_addr(ctx, 0, 1);
}

SEC("cgroup/recvmsg4")
int on_recvmsg4(struct bpf_sock_addr *ctx)
{
	return stash_addr(ctx, 1, 0);
}

SEC("cgroup/recvmsg6")
int on_recvmsg6(struct bpf_sock_addr *ctx)
{
	return stash_addr(ctx, 1, 1);
}

// When a TCP socket that carried traffic closes, fold its counters and add
// TCP's own byte counters to tcp_closed under the socket's owner.
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_state, struct sock *sk, const int oldstate, const int newstate)
{
	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	if (newstate == TCP_SYN_SENT || newstate == TCP_LISTEN) {
		// In the process calling connect() or listen(): until a call
		// says otherwise, it owns the socket, and a listener's
		// connections (which inherit its storage).
		struct owner *o = bpf_sk_storage_get(&socks, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (o && !o->tgid) {
			o->tgid = bpf_get_current_pid_tgid() >> 32;
			process_name(o->comm);
			o->provisional = 1;
		}
		return 0;
	}
	if (newstate == TCP_ESTABLISHED) {
		// Start counting reads from the first byte of the connection.
		struct owner *o = bpf_sk_storage_get(&socks, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
		if (o && tp && !o->seq_valid) {
			o->seq = tp->copied_seq;
			o->seq_valid = 1;
		}
		return 0;
	}
	if (newstate != TCP_CLOSE)
		return 0;
	struct owner *o = bpf_sk_storage_get(&socks, sk, 0, 0);
	if (!o || !o->tgid)
		return 0;
	fold(sk, o, 1);
	// listeners and failed connects were never connections
	int was_conn = o->seq_valid || !o->provisional;
	struct flow_key k = {};
	k.tgid = o->tgid;
	__builtin_memcpy(k.comm, o->comm, sizeof(k.comm));
	k.proto = IPPROTO_TCP;
	fill_peer(sk, &k);
	o->tgid = 0; // a socket reused after close counts as a new connection
	o->seq_valid = 0;
	o->fin = 0;
	o->provisional = 0;
	if (!was_conn)
		return 0;

	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return 0;
	__u64 sent = tp->bytes_sent - tp->bytes_retrans;
	// bytes_received also counts the sequence number of a received FIN,
	// which sets SOCK_DONE.
	__u64 recvd = tp->bytes_received;
	if ((sk->__sk_common.skc_flags >> SOCK_DONE) & 1)
		recvd -= 1;
	__u64 acked = tp->bytes_acked;
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

// fold_all folds every TCP socket's pending counters into flows; user space
// runs it before reading them.
SEC("iter/bpf_sk_storage_map")
int fold_all(struct bpf_iter__bpf_sk_storage_map *ctx)
{
	struct sock *sk = ctx->sk;
	struct owner *o = ctx->value;
	if (!sk || !o || !o->tgid || sk->sk_protocol != IPPROTO_TCP)
		return 0;
	fold(sk, o, 1);
	return 0;
}

// Call latency histograms. The buckets are those of ferret's hist package:
// 0 holds 0 ns, then nine linear buckets per decade [m*10^d, (m+1)*10^d)
// for d = 0..18, and a last one from 10^19.
#define LAT_BUCKETS 173
#define LAT_SEND 0
#define LAT_RECV 1

struct lat_key {
	__u32 tgid;
	__u32 op; // LAT_SEND or LAT_RECV
	char comm[16];
};

// Native histogram buckets (Prometheus schema 2 over seconds) kept beside
// the log-linear ones: nat[j] counts (nat_bounds[j-1], nat_bounds[j]] ns.
#define NAT_BUCKETS 160

struct lat_val {
	__u64 count[LAT_BUCKETS];
	__u64 sum; // ns
	__u64 nat[NAT_BUCKETS];
	__u64 nat_zero; // calls of 0 ns
};

// Upper bounds of the native buckets in ns, set by user space at load.
const volatile __u64 nat_bounds[NAT_BUCKETS] = {};

const struct lat_key *unused_lat_key __attribute__((unused));
const struct lat_val *unused_lat_val __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 2048);
	__type(key, struct lat_key);
	__type(value, struct lat_val);
} lats SEC(".maps");

// An empty histogram to create entries from (too large for the stack).
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lat_val);
} lat_zero SEC(".maps");

// Entry time of the call in progress, kept in the thread itself (freed
// with it); 0 when none.
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} lat_start SEC(".maps");

static __always_inline __u32 lat_bucket(__u64 v)
{
	if (!v)
		return 0;
	__u64 p = 1;
	__u32 d = 0;
	for (int i = 0; i < 19; i++) {
		if (v / 10 < p)
			break;
		p *= 10;
		d++;
	}
	if (d >= 19)
		return LAT_BUCKETS - 1;
	return 1 + d * 9 + (__u32)(v / p) - 1;
}

// nat_bucket returns the first native bucket whose bound is >= v (v > 0),
// by binary search; values past the last bound count in the last bucket.
static __always_inline __u32 nat_bucket(__u64 v)
{
	__u32 lo = 0, hi = NAT_BUCKETS - 1;
	for (int i = 0; i < 8; i++) {
		if (lo >= hi)
			break;
		__u32 mid = (lo + hi) / 2;
		if (mid >= NAT_BUCKETS)
			break;
		if (v <= nat_bounds[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static __always_inline int lat_enter(void)
{
	__u64 *start = bpf_task_storage_get(&lat_start, bpf_get_current_task_btf(), 0,
					    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (start)
		*start = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int lat_exit(__u32 op)
{
	__u64 *start = bpf_task_storage_get(&lat_start, bpf_get_current_task_btf(), 0, 0);
	if (!start || !*start)
		return 0;
	__u64 d = bpf_ktime_get_ns() - *start;
	*start = 0;
	struct lat_key k = {.tgid = bpf_get_current_pid_tgid() >> 32, .op = op};
	process_name(k.comm);
	struct lat_val *v = bpf_map_lookup_elem(&lats, &k);
	if (!v) {
		__u32 zero = 0;
		struct lat_val *z = bpf_map_lookup_elem(&lat_zero, &zero);
		if (!z)
			return 0;
		bpf_map_update_elem(&lats, &k, z, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&lats, &k);
		if (!v)
			return 0;
	}
	__u32 b = lat_bucket(d);
	if (b >= LAT_BUCKETS)
		b = LAT_BUCKETS - 1;
	v->count[b] += 1;
	v->sum += d;
	if (!d) {
		v->nat_zero += 1;
		return 0;
	}
	__u32 n = nat_bucket(d);
	if (n >= NAT_BUCKETS)
		n = NAT_BUCKETS - 1;
	v->nat[n] += 1;
	return 0;
}

#define LAT_PROGS(call, op)                                                                        \
	SEC("tracepoint/syscalls/sys_enter_" #call)                                                \
	int lat_enter_##call(void *ctx)                                                            \
	{                                                                                          \
		return lat_enter();                                                                \
	}                                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #call)                                                 \
	int lat_exit_##call(void *ctx)                                                             \
	{                                                                                          \
		return lat_exit(op);                                                               \
	}

LAT_PROGS(sendto, LAT_SEND)
LAT_PROGS(sendmsg, LAT_SEND)
LAT_PROGS(sendmmsg, LAT_SEND)
LAT_PROGS(recvfrom, LAT_RECV)
LAT_PROGS(recvmsg, LAT_RECV)
LAT_PROGS(recvmmsg, LAT_RECV)
