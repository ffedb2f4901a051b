/*
 * platform.c - <kernel/platform.h> for a Linux process on a TAP device.
 *
 *   clock    CLOCK_MONOTONIC, counted from platform_linux_start()
 *   console  stderr, one write() per line
 *   entropy  getrandom(2)
 *   idle     ppoll(2) on the TAP descriptor until the deadline, with the
 *            signals keel handles unblocked only for the wait
 *   exit     _exit(2)
 *   netdev   drivers/tap, interface from tap= or the image's [tap] ifname;
 *            behind drivers/impair when impair=, impair_rx= or impair_tx=
 *            asks for loss, duplication or delay (docs/testing.md), whose
 *            counters then follow the stack's on SIGUSR1
 *
 * With impair=, idle also sends the frames the layer held back and wakes
 * when the next held frame is due. A bad impair= value ends the process
 * with KERNEL_EXIT_USAGE before the TAP device is touched.
 *
 * Signal handlers only set flags; platform_idle() acts on them from the
 * loop once ppoll() returns: SIGUSR1 prints the counters, SIGTERM and
 * SIGINT print them and ask the loop to stop with exit code 0.
 */
#include <kernel/platform.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <kernel/cmdline.h>
#include <kernel/kernel.h>
#include <kernel/log.h>
#include <keel_config.h>
#include <net/net.h>

#include "impair.h"
#include "platform_linux.h"
#include "tap.h"

/* Longest tap= value kept; tap_open() rejects names over 15 bytes. */
#define PLATFORM_IFNAME_MAX 64

const char *const platform_cmdline_keys[] = {"tap", "impair", "impair_rx",
					     "impair_tx", NULL};

static int64_t platform_start_ns;
static const char *platform_line = "";
static struct netdev *platform_dev;    /* the TAP device */
static struct netdev *platform_impair; /* its impair wrapper, or NULL */
/* The signal mask ppoll() waits with: keel's signals unblocked. */
static sigset_t platform_wait_mask;
static volatile sig_atomic_t platform_got_usr1;
static volatile sig_atomic_t platform_got_stop; /* the signal number */

/* ---- clock, console, entropy, exit -------------------------------------- */

static int64_t platform_monotonic_ns(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer on Linux. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

uint64_t platform_now_ms(void)
{
	return (uint64_t)(platform_monotonic_ns() - platform_start_ns) /
	       1000000u;
}

void platform_console_write(const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

int platform_entropy(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ENOSYS ? NET_ENOTSUP : NET_EIO;
		p += n;
		len -= (size_t)n;
	}
	return NET_OK;
}

_Noreturn void platform_exit(int code)
{
	_exit(code);
}

const char *platform_cmdline(void)
{
	return platform_line;
}

void platform_linux_set_cmdline(const char *line)
{
	platform_line = line ? line : "";
}

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
	char ifname[PLATFORM_IFNAME_MAX];
	struct impair_config impair;
	bool want_impair = platform_impair_settings(&impair);
	struct netdev *dev;
	int rc = cmdline_get("tap", ifname, sizeof(ifname));

	if (rc == NET_ENOENT) {
		memcpy(ifname, CONFIG_TAP_IFNAME, sizeof(CONFIG_TAP_IFNAME));
	} else if (rc < 0) {
		log_printf(LOG_ERROR, "tap=...: an interface name is 1 to 15 "
				      "bytes");
		return NULL;
	}
	if (tap_open(ifname, &dev) != NET_OK)
		return NULL;
	platform_dev = dev;
	return want_impair ? platform_impair_wrap(dev, &impair) : dev;
}

/* ---- signals and idle -----------------------------------------------------
 */

static void platform_on_signal(int sig)
{
	if (sig == SIGUSR1)
		platform_got_usr1 = 1;
	else
		platform_got_stop = sig;
}

static int platform_catch(int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigfillset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL) == 0 ? NET_OK : NET_EIO;
}

int platform_linux_start(void)
{
	sigset_t keel;

	platform_start_ns = platform_monotonic_ns();
	sigemptyset(&keel);
	sigaddset(&keel, SIGUSR1);
	sigaddset(&keel, SIGTERM);
	sigaddset(&keel, SIGINT);
	/* Block first, so no signal lands between a check and the wait. */
	if (sigprocmask(SIG_BLOCK, &keel, &platform_wait_mask) != 0)
		return NET_EIO;
	sigdelset(&platform_wait_mask, SIGUSR1);
	sigdelset(&platform_wait_mask, SIGTERM);
	sigdelset(&platform_wait_mask, SIGINT);
	if (platform_catch(SIGUSR1, platform_on_signal) != NET_OK ||
	    platform_catch(SIGTERM, platform_on_signal) != NET_OK ||
	    platform_catch(SIGINT, platform_on_signal) != NET_OK ||
	    platform_catch(SIGPIPE, SIG_IGN) != NET_OK)
		return NET_EIO;
	return NET_OK;
}

static void platform_handle_signals(void)
{
	int stop = platform_got_stop;

	if (platform_got_usr1) {
		platform_got_usr1 = 0;
		kernel_dump_stats();
	}
	if (stop) {
		platform_got_stop = 0;
		log_printf(LOG_INFO, "keel: %s, stopping",
			   stop == SIGINT ? "SIGINT" : "SIGTERM");
		kernel_dump_stats();
		kernel_request_stop(KERNEL_EXIT_OK);
	}
}

/* The wait until deadline_ms, at most a day (ppoll takes any timespec). */
static struct timespec platform_timeout(uint64_t deadline_ms)
{
	uint64_t now = platform_now_ms();
	uint64_t ms = deadline_ms > now ? deadline_ms - now : 0;
	struct timespec ts;

	if (ms > 86400000u)
		ms = 86400000u;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	return ts;
}

static void platform_check_device(short revents)
{
	if ((revents & (POLLERR | POLLHUP | POLLNVAL)) == 0)
		return;
	log_printf(LOG_ERROR, "tap: %s is gone (deleted on the Linux side?)",
		   platform_dev->name);
	kernel_request_stop(KERNEL_EXIT_FAILURE);
}

void platform_idle(uint64_t deadline_ms)
{
	struct timespec ts = platform_timeout(platform_impair_due(deadline_ms));
	struct pollfd pfd = {.fd = -1, .events = POLLIN};
	int n;

	if (platform_dev)
		pfd.fd = tap_fd(platform_dev);
	n = ppoll(&pfd, 1, &ts, &platform_wait_mask);
	if (n < 0 && errno != EINTR) {
		log_printf(LOG_ERROR, "keel: ppoll: %s", strerror(errno));
		kernel_request_stop(KERNEL_EXIT_FAILURE);
	}
	if (n > 0 && platform_dev)
		platform_check_device(pfd.revents);
	platform_handle_signals();
}
