/*
 * tcp.h - TCP (RFC 9293) inside net/: the connection block shared by
 * tcp.c (table, sockets), tcp_in.c (segment arrival), tcp_ack.c (its ACK
 * step and congestion control), tcp_out.c (segment output), tcp_timer.c
 * (timers), tcp_sack.c (SACK scoreboard) and tcp_cookie.c (SYN cookies).
 * The socket calls are declared in <net/tcp.h>.
 *
 * Sequence numbers wrap: compare them only with seq_lt() and friends.
 *
 * Rings. Send: tx_ring holds the bytes from tx_seq on (unacknowledged,
 * then unsent), tx_len of them starting at offset tx_head; SYN and FIN take
 * sequence numbers but no ring bytes, so the data starts at iss + 1 and a
 * FIN, once queued, sits at tx_seq + tx_len. Receive: rx_ring holds rx_len
 * in-order bytes not yet read from offset rx_head (they end at rcv_nxt),
 * and after them, at their offset from rcv_nxt, out-of-order bytes whose
 * sequence ranges ooo[] records (sorted, disjoint, not touching). Data is
 * accepted as far as SO_RCVBUF leaves room, or up to the edge already
 * advertised when that is further (tcp_rx_free()); never past the ring,
 * so the window we advertise (rcv_adv) never passes the end of the ring.
 */
#ifndef NET_TCP_H_INTERNAL
#define NET_TCP_H_INTERNAL

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/tcp.h>

#include "ipv4.h"
#include "net_config.h"
#include "tcp_wire.h"

#define TCP_OOO_MAX	  16 /* out-of-order ranges kept per connection */
#define TCP_SACK_SCORE	  8  /* SACKed ranges remembered per connection */
#define TCP_NONE	  UINT64_MAX /* a timer that is not running */
#define TCP_NO_PARENT	  (-1)
#define TCP_SYN_RETRIES	  6    /* SYN / SYN-ACK retransmissions (R2 ~ 2 min) */
#define TCP_DATA_RETRIES  12   /* data retransmissions before ETIMEDOUT */
#define TCP_DEFAULT_MSS	  536  /* RFC 9293 §3.7.1 without an MSS option */
#define TCP_INIT_RTO_MS	  1000 /* RFC 6298 §2.1 */
#define TCP_DUPACK_THRESH 3    /* RFC 5681 §3.2 */
#define TCP_TLP_MIN_MS	  10   /* RFC 8985 §7.2: floor of the probe timeout */
#define TCP_TLP_DELACK_MS 200  /* RFC 8985 WCDelAckT */

static inline bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}
static inline bool seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}
static inline bool seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}
static inline bool seq_ge(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}
/* Whether lo <= s < hi (a range of less than 2^31). */
static inline bool seq_in(uint32_t s, uint32_t lo, uint32_t hi)
{
	return seq_ge(s, lo) && seq_lt(s, hi);
}
static inline uint32_t seq_max(uint32_t a, uint32_t b)
{
	return seq_gt(a, b) ? a : b;
}

struct tcp_range {
	uint32_t start;
	uint32_t end; /* just past the last byte */
};

/* One entry of the transmission log (tcp_rack.c). */
#define TCP_TXLOG	 (CONFIG_TCP_TX_RING / 1024 + 16)
#define TCP_TXSEG_SACKED 0x01 /* delivered, above snd_una */
#define TCP_TXSEG_LOST	 0x02 /* taken for lost, not yet sent again */
#define TCP_TXSEG_RXT	 0x04 /* sent more than once */
struct tcp_txseg {
	uint32_t end;	/* just past its last sequence number */
	uint32_t at;	/* when it last went out (ms, wrapping) */
	uint32_t order; /* and in which place (tx_order then) */
	uint8_t flags;
};

struct tcp_conn {
	bool in_use;	/* the slot is taken */
	bool user_open; /* the application holds the handle */
	bool bound;	/* local port chosen */
	bool passive;	/* made by a listener (SYN_RCVD goes back to it) */
	enum tcp_state state;
	int parent; /* listener still holding it in its queue, or TCP_NO_PARENT
		     */
	uint32_t local_addr, remote_addr;
	uint16_t local_port, remote_port;

	/* listener */
	int backlog;
	int queue_len;
	int queue[CONFIG_TCP_BACKLOG];

	/* send sequence space (RFC 9293 §3.3.1) */
	uint32_t iss, snd_una, snd_nxt, snd_max;
	uint32_t snd_wnd, max_snd_wnd, snd_wl1, snd_wl2;
	uint32_t tx_seq;
	uint32_t tx_head, tx_len;
	bool fin_queued; /* FIN follows the ring's data */
	uint16_t mss;	 /* payload bytes per segment we send */
	uint8_t snd_wscale, rcv_wscale;
	bool ws_ok, ts_ok, sack_ok, nodelay, keepalive;

	/* congestion (RFC 5681, 6582) */
	uint32_t cwnd, ssthresh, recover;
	uint32_t bytes_acked; /* toward the next SMSS of cwnd (RFC 3465) */
	uint8_t dupacks;
	bool in_recovery;
	bool rto_recovery; /* go-back-N after a timeout, until recover */
	/* SACK scoreboard (RFC 6675): what the peer holds above snd_una */
	struct tcp_range sacked[TCP_SACK_SCORE];
	uint8_t sacked_count;
	/* undoing a recovery that D-SACKs show was needless (RFC 2883 §4) */
	uint32_t prior_cwnd, prior_ssthresh;
	uint32_t undo_start; /* snd_una when the recovery began */
	uint16_t undo_rxt;   /* its retransmissions not yet D-SACKed */
	/* transmission log and RACK loss detection (RFC 8985) */
	struct tcp_txseg txlog[TCP_TXLOG];
	uint32_t txlog_base; /* where its first entry starts */
	uint16_t txlog_head, txlog_count;
	uint32_t tx_order;	       /* transmissions counted */
	uint32_t rack_order, rack_rtt; /* the latest-sent delivery */
	uint32_t rack_fack;	       /* highest delivered end */
	uint32_t rack_dsack_round;     /* snd_max at the last widening */
	uint32_t min_rtt;
	uint8_t rack_mult, rack_recoveries;
	bool rack_valid, rack_reo_seen;
	bool rack_dsack_pending; /* rack_dsack_round is set */
	uint64_t rack_at;	 /* reordering timer: look again then */
	/* proportional rate reduction in recovery (RFC 6937) */
	uint32_t prr_delivered, prr_out, prr_recover_fs;
	uint32_t delivered; /* bytes the last ACK newly delivered */

	/* receive sequence space */
	uint32_t irs, rcv_nxt, rcv_adv;
	uint32_t rx_head, rx_len;
	bool fin_received, shut_rd;
	struct tcp_range ooo[TCP_OOO_MAX];
	uint8_t ooo_count;
	uint32_t ooo_recent; /* a byte of the latest out-of-order segment */
	uint8_t segs_unacked;
	bool ack_now;
	bool needs_output;

	/* timestamps (RFC 7323) */
	uint32_t ts_recent;
	uint64_t ts_recent_at;
	uint32_t last_ack_sent;

	/* RTT (RFC 6298) */
	uint32_t srtt8, rttvar4, rto;
	bool has_rtt, rtt_timing;
	uint32_t rtt_seq;
	uint64_t rtt_start;
	uint8_t retries;       /* RTO expiries in a row */
	uint8_t probes;	       /* unanswered keepalive probes */
	uint8_t persist_shift; /* zero-window probe backoff */

	/* timers: absolute times, TCP_NONE when off */
	uint64_t rto_at, persist_at, delack_at, close_at, keep_at;
	uint64_t tlp_at; /* tail loss probe (RFC 8985 §7) */
	bool tlp_sent;	 /* one probe per tail, until an ACK advances */
	uint64_t last_rx_at;

	int err;      /* SO_ERROR: pending hard error */
	int soft_err; /* last ICMP or ARP error, reported on timeout */

	/* socket options (net_tcp_setsockopt); a listener's pass to the
	 * connections it makes: a queued one reads its parent's, accept()
	 * copies them */
	uint32_t rcvbuf;   /* receive ring bytes used (SO_RCVBUF) */
	uint32_t sndbuf;   /* send ring bytes used (SO_SNDBUF) */
	bool blocking;	   /* !SO_NONBLOCK: kernel_tcp_* calls wait */
	uint32_t rcvtimeo; /* ms a blocking receive waits, 0: no limit */
	uint32_t sndtimeo; /* ms a blocking send waits, 0: no limit */

	/* readiness callback (tcp_dispatch_events) */
	net_tcp_callback cb;
	void *cb_ctx;
	uint8_t ev_seen; /* NET_POLL* bits already reported */

	uint8_t rx_ring[CONFIG_TCP_RX_RING];
	uint8_t tx_ring[CONFIG_TCP_TX_RING];
};

/* A received segment, trimmed as processing goes. */
struct tcp_seg {
	struct tcp_hdr h;
	uint32_t src, dst;
	uint32_t seq;	     /* after trimming */
	uint8_t flags;	     /* after trimming (SYN, FIN may be cut) */
	const uint8_t *data; /* after trimming */
	uint32_t len;	     /* data bytes after trimming */
};

extern struct tcp_conn tcp_conns[CONFIG_TCP_SOCKETS];

/* ---- tcp.c: table, rings, state --------------------------------------- */
void tcp_init(void);
int tcp_conn_index(const struct tcp_conn *c);
struct tcp_conn *tcp_conn_alloc(void);
/* The connection for a segment's 4-tuple (not listeners), or NULL. */
struct tcp_conn *tcp_conn_lookup(uint32_t raddr, uint16_t rport, uint32_t laddr,
				 uint16_t lport);
/* The listener for (laddr, lport), or NULL. */
struct tcp_conn *tcp_listener_lookup(uint32_t laddr, uint16_t lport);
void tcp_set_state(struct tcp_conn *c, enum tcp_state st, uint64_t now_ms);
/* The connection is over: free it, or leave it CLOSED for its owner. */
void tcp_conn_closed(struct tcp_conn *c, int err);
uint32_t tcp_isn(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport,
		 uint64_t now_ms);
/*
 * Receive space to accept and advertise: SO_RCVBUF less what the ring
 * holds, never less than the window already advertised (RFC 9293
 * §3.8.6.2.2: the right edge does not move back).
 */
uint32_t tcp_rx_free(const struct tcp_conn *c);
/* SO_RCVBUF in effect (a queued connection's is its listener's). */
uint32_t tcp_rx_buf(const struct tcp_conn *c);
/*
 * After each net_poll(): call the readiness callback of every socket
 * whose poll mask gained bits since they were last reported.
 */
void tcp_dispatch_events(void);
void tcp_rx_ring_put(struct tcp_conn *c, uint32_t off, const uint8_t *d,
		     uint32_t n);
uint32_t tcp_tx_ring_pos(const struct tcp_conn *c, uint32_t off);
void tcp_tx_ring_drop(struct tcp_conn *c, uint32_t n);
/* Our MSS option value: the MTU less IPv4 and TCP headers (RFC 6691). */
uint16_t tcp_our_mss(void);
uint8_t tcp_our_wscale(void);

/* ---- tcp_in.c ----------------------------------------------------------- */
void tcp_input(const struct ipv4_rx *ip, const uint8_t *data, size_t len,
	       uint64_t now_ms);
void tcp_icmp_error(uint8_t type, uint8_t code, uint32_t quoted_src,
		    uint32_t quoted_dst, const uint8_t quoted_tcp[8]);
/* Options of a SYN or SYN-ACK from the peer. */
void tcp_in_syn_options(struct tcp_conn *c, const struct tcp_opts *o,
			uint64_t now_ms);

/* ---- tcp_cookie.c ------------------------------------------------------- */
/* The ISN for a SYN-ACK answering `syn` statelessly; *mss what it encodes. */
uint32_t tcp_cookie_make(const struct tcp_seg *syn, uint64_t now_ms,
			 uint16_t *mss);
/* Whether `ack` returns a cookie of ours; *mss the MSS it encodes. */
bool tcp_cookie_check(const struct tcp_seg *ack, uint64_t now_ms,
		      uint16_t *mss);

/* The peer's window in a segment, scaled (never on a SYN). */
uint32_t tcp_in_peer_window(const struct tcp_conn *c, const struct tcp_seg *s);
/* Take the peer's window from a segment (SND.WND, WL1, WL2). */
void tcp_in_set_window(struct tcp_conn *c, const struct tcp_seg *s);

/* ---- tcp_ack.c ---------------------------------------------------------- */
/*
 * RFC 9293 §3.10.7.4, fifth: process the ACK field. False when the
 * segment is dropped or the connection went (LAST_ACK done).
 */
bool tcp_ack_input(struct tcp_conn *c, const struct tcp_seg *s,
		   uint64_t now_ms);

/* Start fast recovery: ssthresh = FlightSize / 2, recover = SND.MAX. */
void tcp_ack_enter_recovery(struct tcp_conn *c);

/* ---- tcp_out.c ---------------------------------------------------------- */
/* Send whatever the windows allow, then an ACK if one is owed. */
void tcp_output(struct tcp_conn *c, uint64_t now_ms);
void tcp_send_ack(struct tcp_conn *c, uint64_t now_ms);
void tcp_send_rst(struct tcp_conn *c, uint64_t now_ms);
/* RFC 5961 §3.2, §4.2, §5.2: a rate-limited ACK. */
void tcp_send_challenge_ack(struct tcp_conn *c, uint64_t now_ms);
/* RFC 9293 §3.10.7.1: answer a segment that has no connection. */
void tcp_send_rst_reply(const struct tcp_seg *s, uint64_t now_ms);
/* A stateless SYN-ACK with ISN `iss` (a cookie) offering only MSS. */
void tcp_send_cookie_synack(const struct tcp_seg *syn, uint32_t iss,
			    uint16_t mss, uint64_t now_ms);
/* The window to advertise now, scaled down for the header. */
uint32_t tcp_rcv_window(struct tcp_conn *c);
/* Send one byte past the window (zero-window probe). */
void tcp_send_probe(struct tcp_conn *c, uint64_t now_ms);
void tcp_send_keepalive(struct tcp_conn *c, uint64_t now_ms);
/*
 * Send again up to `max` bytes from `seq` (below snd_max), the FIN too if
 * it is there; returns the sequence space sent, 0 when nothing went.
 */
uint32_t tcp_retransmit(struct tcp_conn *c, uint32_t seq, uint32_t max,
			uint64_t now_ms);
/* Send again the segment at snd_una (fast retransmit, partial ACK). */
void tcp_retransmit_una(struct tcp_conn *c, uint64_t now_ms);
void tcp_out_reset_rate(void);

/* ---- tcp_sack.c ------------------------------------------------------- */
/* Merge the SACK blocks of an ACK into the scoreboard (RFC 2018 §5). */
/*
 * Insert r into the sorted, disjoint ranges in[0..n), merging what it
 * overlaps or touches, into out (room for n + 1): returns out's length.
 * Shared by the SACK scoreboard and the receive side's out-of-order list.
 */
int tcp_sack_range_merge(const struct tcp_range *in, int n, struct tcp_range r,
			 struct tcp_range *out);
void tcp_sack_update(struct tcp_conn *c, const struct tcp_opts *o);
/* Forget what snd_una passed, or everything (after a timeout). */
void tcp_sack_trim(struct tcp_conn *c);
void tcp_sack_clear(struct tcp_conn *c);
/*
 * A D-SACK (RFC 2883: first block at or below the cumulative ACK) for a
 * retransmission of the last recovery: when every one of them came back
 * as a duplicate, the recovery was caused by reordering, and the window
 * it cut is given back (as Linux's "undo" does; RFC 3708 describes it).
 */
void tcp_sack_dsack(struct tcp_conn *c, const struct tcp_opts *o, uint32_t ack);
/* In fast recovery with a scoreboard to go by. */
bool tcp_sack_in_recovery(const struct tcp_conn *c);
/* RFC 6675 §4 "pipe": bytes believed still in the network. */
uint32_t tcp_sack_pipe(const struct tcp_conn *c);
/*
 * Where data sent from `seq` should start, past any SACKed range; *len
 * is cut so the segment ends before the next one.
 */
uint32_t tcp_sack_skip(const struct tcp_conn *c, uint32_t seq, uint32_t *len);
/* Retransmit the holes the scoreboard shows while pipe < cwnd. */
void tcp_sack_recover(struct tcp_conn *c, uint64_t now_ms);

/* ---- tcp_rack.c ------------------------------------------------------- */
void tcp_rack_reset(struct tcp_conn *c);
/* A segment of `span` sequence numbers from seq went out (or again). */
void tcp_rack_sent(struct tcp_conn *c, uint32_t seq, uint32_t span,
		   uint64_t now_ms);
/* An acceptable ACK arrived (scoreboard already updated): deliveries. */
void tcp_rack_update(struct tcp_conn *c, const struct tcp_seg *s,
		     uint64_t now_ms);
/* A D-SACK arrived: reordering; widen the window (once per round). */
void tcp_rack_dsack(struct tcp_conn *c);
void tcp_rack_recovery_started(struct tcp_conn *c);
/* Mark what is lost now, arm rack_at for the rest; true if any newly. */
bool tcp_rack_detect(struct tcp_conn *c, uint64_t now_ms);
bool tcp_rack_has_lost(const struct tcp_conn *c);
/* Bytes neither SACKed nor lost: RFC 6675's pipe, by the log. */
uint32_t tcp_rack_pipe(const struct tcp_conn *c);
/* The lowest entry marked lost. */
bool tcp_rack_next_lost(const struct tcp_conn *c, uint32_t *start,
			uint32_t *len);

/* ---- tcp_timer.c -------------------------------------------------------- */
void tcp_poll(uint64_t now_ms);
uint64_t tcp_next_deadline(void);
void tcp_rtt_sample(struct tcp_conn *c, uint32_t rtt_ms);
void tcp_timer_rto_restart(struct tcp_conn *c, uint64_t now_ms);
/* (Re)arm the tail loss probe while data is outstanding. */
void tcp_timer_tlp_arm(struct tcp_conn *c, uint64_t now_ms);
void tcp_timer_keepalive_reset(struct tcp_conn *c, uint64_t now_ms);
/* Start the persist timer when the peer's window is zero and data waits. */
void tcp_timer_persist_check(struct tcp_conn *c, uint64_t now_ms);

#endif /* NET_TCP_H_INTERNAL */
