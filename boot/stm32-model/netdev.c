/*
 * netdev.c - the stm32-model target's network device (platform_linux.h):
 * the unmodified STM32 Ethernet driver (drivers/stm32) running against
 * the model of its peripheral (drivers/stm32/model), whose wire is
 * bridged to a TAP device, so that the real stack, driver and
 * application serve Linux clients.
 *
 * Start-up, in the order eth.h asks of a target on the chip: the RMII pins
 * (stm32_eth_pins_init() against the model's GPIO and SYSCFG), then
 * stm32_eth_start() with the MAC address, which the driver writes into
 * MACA0 and the model's address filter then holds frames against. The
 * address is chosen here, as the kernel would choose it (mac=, else the
 * image's [net] mac, else a random locally administered one), so that
 * the kernel keeps it. The cable is in at power-on and the PHY
 * negotiates 100 Mbit/s full duplex at once; stm32_eth_link_poll() runs
 * every MODEL_LINK_POLL_MS, as the firmware's loop calls it.
 *
 * The wire:
 *  - from Linux: a frame read from the TAP device goes to sm_wire_rx()
 *    (link, MACCR mode, address filter, then the receive DMA). The
 *    bridge moves one only while the receive DMA holds a descriptor
 *    (sm_rx_ready()): the TAP's queue stands in for the pace of a
 *    100 Mbit/s line, which a 216 MHz Cortex-M7 keeps up with, and a
 *    host that hands over thousands of frames in a microsecond does not
 *    make the model overrun the ring on every burst. Overruns are
 *    made on purpose instead (model=stall, below);
 *  - to Linux: the model's wire_tx hook writes each frame the MAC sends
 *    to the TAP device.
 *
 * Timing. On the chip the DMA runs beside the CPU. Here the model does
 * its work at the moments it becomes visible to the driver: the
 * transmit DMA runs when the driver writes DMATPDR (a poll demand; the
 * frame is on the wire before the write returns), the receive DMA when
 * the bridge hands it a frame (before the stack's next poll, from
 * platform_idle()). The driver only ever looks at descriptors and
 * registers, so it cannot tell these moments from later ones, except
 * that a transmit descriptor is then never found still in flight: the
 * transmit ring does not fill. model=txdefer (below) moves the transmit
 * DMA out to the loop for the tests that want it full.
 *
 * The interrupt: after the bridge moved frames, a raised ETH line
 * (sm_irq_pending()) runs stm32_eth_ack_interrupt(), the call eth.h
 * asks of the ETH interrupt handler, and the loop polls the stack, as
 * the interrupt wakes the CPU from wfi on the chip.
 *
 * Faults, model=SPEC with SPEC a comma-separated list of:
 *   stall:N/MS  after every Nth frame from Linux, the CPU is busy for MS
 *               ms (as in a long signature on the M7): the stack does not
 *               run, frames keep arriving at once, unpaced, with the ETH
 *               interrupt still taken. The receive ring fills, the DMA
 *               sets RBUS and suspends, further frames are missed
 *               (DMAMFBOCR); the driver has to resume it.
 *   flap:N/MS   after every Nth frame from Linux, the cable is out for MS
 *               ms; it comes back negotiated at the other speed (10, then
 *               100 Mbit/s, full duplex), so frames are lost until the
 *               driver's link poll has written MACCR FES again.
 *   fatal:N     after every Nth frame from Linux, a fatal bus error
 *               (DMASR FBES): both DMA processes stop; the driver resets
 *               the block and rebuilds its rings, and what was queued is
 *               lost.
 *   txdefer     the transmit DMA runs only from platform_idle(), between
 *               the stack's polls, not inside the driver's poll demand:
 *               frames the stack queues in one poll stay in flight and
 *               the ring fills (tx_acquire() finds no descriptor), as on
 *               the chip when the stack queues frames faster than the
 *               line sends them. The driver's DMATPDR write still has to
 *               come: a suspended transmit DMA leaves suspension on it.
 *
 * Counters: SIGUSR1 and the exit print the driver's (stm32_eth.*) and
 * the model's (model.*) after the stack's. A model complaint (something
 * RM0410 forbids) is logged as "stm32 model: ..." and counted in
 * model.bad_access.
 */
#include <kernel/platform.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <kernel/cmdline.h>
#include <kernel/kernel.h>
#include <kernel/log.h>
#include <keel_config.h>
#include <net/net.h>

#include "eth.h"
#include "eth_pins.h"
#include "model/stm32_eth_model.h"
#include "platform_linux.h"

#define MODEL_LINK_POLL_MS 250u
#define MODEL_SPEC_MAX	   64
#define MODEL_WIRE_MIN	   60 /* shortest frame on a wire, FCS aside */

const char *const platform_cmdline_keys[] = {"tap", "model", NULL};

const char platform_linux_usage[] = PLATFORM_LINUX_TAP_USAGE
    "  model=SPEC      faults of the modelled ETH block: stall:N/MS (the "
    "CPU busy\n"
    "                  MS ms after every Nth received frame),\n"
    "                  flap:N/MS (the cable out MS ms after every Nth),\n"
    "                  fatal:N (a DMA bus error after every Nth),\n"
    "                  txdefer (the transmit DMA runs between polls)\n";

/* An every-Nth-frame fault lasting `ms`; every 0: off. */
struct model_fault {
	uint32_t every;
	uint32_t ms;
	uint32_t count; /* frames since the last one */
	uint64_t until; /* in progress until this time; 0: not */
};

struct model_state {
	struct netdev *tap;
	uint64_t next_link_poll;
	struct model_fault stall, flap, fatal;
	bool slow_next; /* the next cable-in negotiates 10 Mbit/s */
	bool tx_defer;	/* model=txdefer */
	uint8_t pad[MODEL_WIRE_MIN];
	/* counters */
	uint64_t irqs, stalls, flaps, fatals, tap_rx, tap_tx, tap_tx_dropped;
	uint64_t tap_rx_too_long;
};

static struct model_state model;

/* ---- model= ------------------------------------------------------------- */

/* "N/MS" into *f: NET_OK or NET_EINVAL. */
static int model_parse_fault(char *arg, struct model_fault *f)
{
	char *slash = strchr(arg, '/');

	if (!slash)
		return NET_EINVAL;
	*slash = '\0';
	if (cmdline_parse_u32(arg, 1, 1000000, &f->every) != NET_OK ||
	    cmdline_parse_u32(slash + 1, 1, 60000, &f->ms) != NET_OK)
		return NET_EINVAL;
	return NET_OK;
}

/* "N" into *f (an instant fault): NET_OK or NET_EINVAL. */
static int model_parse_every(const char *arg, struct model_fault *f)
{
	f->ms = 0;
	return cmdline_parse_u32(arg, 1, 1000000, &f->every);
}

/* One "name:N/MS" item: NET_OK or NET_EINVAL. */
static int model_parse_item(char *item)
{
	char *colon = strchr(item, ':');

	if (strcmp(item, "txdefer") == 0) {
		model.tx_defer = true;
		return NET_OK;
	}
	if (!colon)
		return NET_EINVAL;
	*colon = '\0';
	if (strcmp(item, "stall") == 0)
		return model_parse_fault(colon + 1, &model.stall);
	if (strcmp(item, "flap") == 0)
		return model_parse_fault(colon + 1, &model.flap);
	if (strcmp(item, "fatal") == 0)
		return model_parse_every(colon + 1, &model.fatal);
	return NET_EINVAL;
}

/* model=, if given; a bad value ends the process with a usage error. */
static void model_parse_spec(void)
{
	char spec[MODEL_SPEC_MAX];
	char *item = spec;
	int rc = cmdline_get("model", spec, sizeof(spec));

	if (rc == NET_ENOENT)
		return;
	while (rc >= 0 && item) {
		char *comma = strchr(item, ',');

		if (comma)
			*comma = '\0';
		rc = model_parse_item(item);
		item = comma ? comma + 1 : NULL;
	}
	if (rc >= 0)
		return;
	log_printf(LOG_ERROR,
		   "keel: model=...: expected stall:N/MS, flap:N/MS, fatal:N "
		   "and/or txdefer, comma-separated");
	platform_exit(KERNEL_EXIT_USAGE);
}

/* ---- the wire ----------------------------------------------------------- */

/* The model's wire_tx hook: a frame the MAC sent, to Linux. */
static void model_wire_tx(const uint8_t *frame, size_t len)
{
	size_t cap = 0;
	uint8_t *buf = model.tap->ops->tx_acquire(model.tap, &cap);

	if (!buf || len > cap) {
		model.tap_tx_dropped++;
		return;
	}
	memcpy(buf, frame, len);
	if (model.tap->ops->tx_submit(model.tap, len) == NET_OK)
		model.tap_tx++;
	else
		model.tap_tx_dropped++;
}

static void model_complain(const char *what, uint32_t v)
{
	log_printf(LOG_ERROR, "stm32 model: %s (0x%08x)", what, (unsigned)v);
}

/* The ETH interrupt: its handler's call (eth.h) runs. */
static void model_interrupt(void)
{
	if (!sm_irq_pending())
		return;
	model.irqs++;
	(void)stm32_eth_ack_interrupt();
}

/* Count a frame from Linux towards the faults; start one when due. */
static void model_count_fault(struct model_fault *f, uint64_t now)
{
	if (f->every == 0 || f->until != 0 || ++f->count < f->every)
		return;
	f->count = 0;
	if (f == &model.fatal) {
		model.fatals++;
		sm_fatal_bus_error();
		return;
	}
	f->until = now + f->ms;
	if (f == &model.flap) {
		model.flaps++;
		sm_set_link(false, false, false);
	} else {
		model.stalls++;
	}
}

/*
 * One frame from the TAP device onto the model's wire: true when one was
 * there (taken, or dropped as too long), false when none waits.
 */
static bool model_wire_in(uint64_t now)
{
	const uint8_t *frame;
	int n = model.tap->ops->rx_peek(model.tap, &frame);

	if (n == NET_EMSGSIZE) {
		model.tap_rx_too_long++;
		return true;
	}
	if (n <= 0)
		return false;
	model.tap_rx++;
	if (n < MODEL_WIRE_MIN) {
		/*
		 * Linux pads a short frame in the NIC that sends it; through
		 * the TAP device it comes unpadded. On a wire it would be 60
		 * bytes and the FCS (IEEE 802.3 §3.2.8).
		 */
		memset(model.pad, 0, sizeof(model.pad));
		memcpy(model.pad, frame, (size_t)n);
		frame = model.pad;
		n = MODEL_WIRE_MIN;
	}
	(void)sm_wire_rx(frame, (size_t)n);
	model.tap->ops->rx_done(model.tap);
	model_count_fault(&model.stall, now);
	model_count_fault(&model.flap, now);
	model_count_fault(&model.fatal, now);
	return true;
}

/* Frames from Linux while the DMA has room (see the top): how many. */
static unsigned model_bridge_in(uint64_t now)
{
	unsigned moved = 0;

	while (!model.stall.until && sm_rx_ready() && model_wire_in(now))
		moved++;
	model_interrupt();
	return moved;
}

/* model=txdefer: the transmit DMA's turn, between the stack's polls. */
static void model_tx_turn(void)
{
	if (!model.tx_defer)
		return;
	sm.tx_stall = false;
	sm_tx_run();
	sm.tx_stall = true;
}

/*
 * A stall: until it ends, frames arrive as Linux sends them, unpaced,
 * and the interrupt is taken, but the stack does not run.
 */
static void model_stall(void)
{
	uint64_t now = platform_now_ms();

	while (now < model.stall.until) {
		platform_linux_wait_tap(model.stall.until);
		now = platform_now_ms();
		while (model_wire_in(now))
			model_interrupt();
		model_tx_turn(); /* the DMA does not wait for the CPU */
	}
	model.stall.until = 0;
}

/* The cable back in, when due, at the other speed than last time. */
static void model_cable(uint64_t now)
{
	if (!model.flap.until || now < model.flap.until)
		return;
	model.flap.until = 0;
	sm_set_link(true, !model.slow_next, true);
	model.slow_next = !model.slow_next;
}

static void model_link_poll(uint64_t now)
{
	if (now < model.next_link_poll)
		return;
	model.next_link_poll = now + MODEL_LINK_POLL_MS;
	(void)stm32_eth_link_poll();
}

static uint64_t model_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t platform_linux_dev_due(uint64_t deadline_ms)
{
	uint64_t now;

	if (model.stall.until)
		model_stall();
	model_tx_turn();
	now = platform_now_ms();
	model_cable(now);
	model_link_poll(now);
	if (model_bridge_in(now) > 0)
		return now; /* the stack has frames: do not wait */
	deadline_ms = model_min(deadline_ms, model.next_link_poll);
	if (model.flap.until)
		deadline_ms = model_min(deadline_ms, model.flap.until);
	return deadline_ms;
}

void platform_linux_dev_woke(void)
{
	(void)model_bridge_in(platform_now_ms());
}

/* ---- start and counters ------------------------------------------------- */

/* The MAC the kernel will keep: mac=, [net] mac, else random. */
static int model_mac(uint8_t mac[NETDEV_MAC_LEN])
{
	char value[32];

	if (cmdline_get("mac", value, sizeof(value)) >= 0 &&
	    cmdline_parse_mac(value, mac) == NET_OK)
		return NET_OK;
	if ((uint64_t)CONFIG_NET_MAC != 0) {
		for (int i = 0; i < NETDEV_MAC_LEN; i++)
			mac[i] = (uint8_t)((uint64_t)CONFIG_NET_MAC >>
					   (8 * (NETDEV_MAC_LEN - 1 - i)));
		return NET_OK;
	}
	if (platform_entropy(mac, NETDEV_MAC_LEN) != NET_OK)
		return NET_EIO;
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02); /* local, unicast */
	return NET_OK;
}

static void model_stats(void)
{
	struct stm32_eth_stats s;

	stm32_eth_get_stats(&s);
	kernel_print_stat("stm32_eth.rx_frames", s.rx_frames);
	kernel_print_stat("stm32_eth.rx_crc", s.rx_crc);
	kernel_print_stat("stm32_eth.rx_runt", s.rx_runt);
	kernel_print_stat("stm32_eth.rx_too_long", s.rx_too_long);
	kernel_print_stat("stm32_eth.rx_errors", s.rx_errors);
	kernel_print_stat("stm32_eth.rx_missed", s.rx_missed);
	kernel_print_stat("stm32_eth.rx_resumes", s.rx_resumes);
	kernel_print_stat("stm32_eth.tx_frames", s.tx_frames);
	kernel_print_stat("stm32_eth.tx_errors", s.tx_errors);
	kernel_print_stat("stm32_eth.tx_ring_full", s.tx_ring_full);
	kernel_print_stat("stm32_eth.tx_too_long", s.tx_too_long);
	kernel_print_stat("stm32_eth.tx_lost", s.tx_lost);
	kernel_print_stat("stm32_eth.tx_underflows", s.tx_underflows);
	kernel_print_stat("stm32_eth.dma_fatal", s.dma_fatal);
	kernel_print_stat("stm32_eth.link_changes", s.link_changes);
	kernel_print_stat("model.rx_delivered", sm.rx_delivered);
	kernel_print_stat("model.rx_missed", sm.missed_total);
	kernel_print_stat("model.rx_suspends", sm.rx_suspends);
	kernel_print_stat("model.rx_polls", sm.rx_polls);
	kernel_print_stat("model.tx_frames", sm.tx_count);
	kernel_print_stat("model.tx_polls", sm.tx_polls);
	kernel_print_stat("model.mdio_ops", sm.mdio_ops);
	kernel_print_stat("model.resets", sm.resets);
	kernel_print_stat("model.wire_rx_frames", sm.wire_rx_frames);
	kernel_print_stat("model.wire_rx_lost", sm.wire_rx_lost);
	kernel_print_stat("model.wire_mode_lost", sm.wire_mode_lost);
	kernel_print_stat("model.rx_addr_filtered", sm.rx_addr_filtered);
	kernel_print_stat("model.wire_tx_frames", sm.wire_tx_frames);
	kernel_print_stat("model.wire_tx_lost", sm.wire_tx_lost);
	kernel_print_stat("model.bad_access", sm.bad_access);
	kernel_print_stat("model.irqs", model.irqs);
	kernel_print_stat("model.stalls", model.stalls);
	kernel_print_stat("model.flaps", model.flaps);
	kernel_print_stat("model.fatals", model.fatals);
	kernel_print_stat("model.tap_rx", model.tap_rx);
	kernel_print_stat("model.tap_rx_too_long", model.tap_rx_too_long);
	kernel_print_stat("model.tap_tx", model.tap_tx);
	kernel_print_stat("model.tap_tx_dropped", model.tap_tx_dropped);
}

struct netdev *platform_netdev(void)
{
	uint8_t mac[NETDEV_MAC_LEN];
	struct netdev *dev;

	model_parse_spec();
	model.slow_next = true; /* the first flap comes back at 10 */
	model.tap = platform_linux_open_tap();
	if (!model.tap)
		return NULL;
	if (model_mac(mac) != NET_OK) {
		log_printf(LOG_ERROR, "keel: no entropy for a MAC address");
		return NULL;
	}
	sm_power_on();
	sm.complain = model_complain;
	sm.wire_tx = model_wire_tx;
	sm_set_link(true, true, true); /* the cable is in */
	sm.tx_stall = model.tx_defer;
	stm32_eth_pins_init();
	dev = stm32_eth_start(mac);
	if (!dev)
		return NULL;
	kernel_set_stats_hook(model_stats);
	log_printf(LOG_INFO,
		   "stm32-model: the STM32 ETH driver on the model of its "
		   "MAC/DMA and PHY, wire bridged to %s",
		   model.tap->name);
	return dev;
}
