/*
 * netdev.c - the linux-tap target's network device (platform_linux.h):
 * drivers/tap on the interface platform_linux_open_tap() attaches to,
 * behind drivers/impair when impair=, impair_rx= or impair_tx= asks for
 * loss, duplication or delay (docs/testing.md), whose counters then
 * follow the stack's on SIGUSR1.
 *
 * With impair=, idle also sends the frames the layer held back and wakes
 * when the next held frame is due. A bad impair= value ends the process
 * with KERNEL_EXIT_USAGE before the TAP device is touched.
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

#include "impair.h"
#include "platform_linux.h"

const char *const platform_cmdline_keys[] = {"tap", "impair", "impair_rx",
					     "impair_tx", NULL};

const char platform_linux_usage[] = PLATFORM_LINUX_TAP_USAGE
    "  impair=SPEC     test impairment, both directions: "
    "loss:P,dup:P,delay:MS,\n"
    "                  jitter:MS,reorder:P,seed:N (P in %, each optional)\n"
    "  impair_rx=SPEC, impair_tx=SPEC\n"
    "                  the same for one direction (rx: to the stack)\n";

static struct netdev *platform_impair; /* the impair wrapper, or NULL */

/* ---- impair= ------------------------------------------------------------ */

/* One of impair=, impair_rx=, impair_tx= into *out: whether it is given. */
static bool platform_impair_key(const char *key, struct impair_dir_config *out)
{
	char value[CMDLINE_TOKEN_MAX + 1];
	char err[128];
	int rc = cmdline_get(key, value, sizeof(value));

	if (rc == NET_ENOENT)
		return false;
	if (rc >= 0 && impair_parse(value, out, err, sizeof(err)) == NET_OK)
		return true;
	log_printf(LOG_ERROR, "keel: %s=%s: %s", key, rc < 0 ? "..." : value,
		   rc < 0 ? "too long" : err);
	platform_exit(KERNEL_EXIT_USAGE);
}

/* The impairment asked for, into *cfg: whether there is one. */
static bool platform_impair_settings(struct impair_config *cfg)
{
	bool both, rx, tx;

	memset(cfg, 0, sizeof(*cfg));
	cfg->now_ms = platform_now_ms;
	both = platform_impair_key("impair", &cfg->rx);
	cfg->tx = cfg->rx;
	rx = platform_impair_key("impair_rx", &cfg->rx);
	tx = platform_impair_key("impair_tx", &cfg->tx);
	if (both && (rx || tx)) {
		log_printf(LOG_ERROR,
			   "keel: impair= and %s= together: impair= sets "
			   "both directions; give impair_rx= and impair_tx= "
			   "instead",
			   rx ? "impair_rx" : "impair_tx");
		platform_exit(KERNEL_EXIT_USAGE);
	}
	return both || rx || tx;
}

static void platform_impair_log(const char *way,
				const struct impair_dir_config *cfg)
{
	char text[128];

	if (impair_is_clean(cfg)) {
		log_printf(LOG_INFO, "impair: %s passes frames through", way);
		return;
	}
	impair_describe(cfg, text, sizeof(text));
	log_printf(LOG_INFO, "impair: %s %s (%d slots)", way, text,
		   CONFIG_IMPAIR_SLOTS);
}

static void platform_impair_stats(void)
{
	impair_report(platform_impair, kernel_print_stat);
}

/* The TAP device behind the impair layer, or NULL after saying why. */
static struct netdev *platform_impair_wrap(struct netdev *tap,
					   const struct impair_config *cfg)
{
	struct netdev *dev;

	if (impair_wrap(tap, cfg, &dev) != NET_OK) {
		log_printf(LOG_ERROR, "impair: cannot wrap %s", tap->name);
		return NULL;
	}
	platform_impair_log("rx", &cfg->rx);
	platform_impair_log("tx", &cfg->tx);
	platform_impair = dev;
	kernel_set_stats_hook(platform_impair_stats);
	return dev;
}

/*
 * Sends the frames the impair layer holds that are due; returns the
 * earlier of deadline_ms and the time the next held frame is due.
 */
static uint64_t platform_impair_due(uint64_t deadline_ms)
{
	uint64_t due;

	if (!platform_impair)
		return deadline_ms;
	impair_poll(platform_impair);
	due = impair_next_deadline(platform_impair);
	return due < deadline_ms ? due : deadline_ms;
}

/* ---- network device ----------------------------------------------------- */

struct netdev *platform_netdev(void)
{
	struct impair_config impair;
	bool want_impair = platform_impair_settings(&impair);
	struct netdev *dev = platform_linux_open_tap();

	if (!dev)
		return NULL;
	return want_impair ? platform_impair_wrap(dev, &impair) : dev;
}

uint64_t platform_linux_dev_due(uint64_t deadline_ms)
{
	return platform_impair_due(deadline_ms);
}

void platform_linux_dev_woke(void)
{
}
