/*
 * main.c - kernel_main(), the one event loop (include/kernel/kernel.h).
 *
 * Start-up, in order, each step fatal with one console line and its own
 * exit code (enum kernel_exit) when it fails:
 *   1. the settings, before any device is touched: every command-line key
 *      known, log= applied, mac=, ip= and gw= parsed. The IPv4 address is
 *      ip= (and gw=) from the command line, else the image's [net] ip and
 *      gateway; gw= alone replaces the image's gateway; ip= without gw=
 *      means no default route;
 *   2. a 16-byte boot secret from platform_entropy(): no entropy, no stack;
 *   3. the device from platform_netdev();
 *   4. the MAC: mac=, else the image's [net] mac, else the driver's own,
 *      else a random locally administered unicast address;
 *   5. net_init() and net_set_ipv4();
 *   6. app_init().
 * Then the loop runs until kernel_request_stop(). Nothing here touches the
 * machine except through <kernel/platform.h>.
 */
#include <kernel/kernel.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kernel/app.h>
#include <kernel/cmdline.h>
#include <kernel/log.h>
#include <kernel/platform.h>
#include <keel_config.h>
#include <klib/fmt.h>
#include <net/net.h>

_Static_assert((uint64_t)CONFIG_NET_MAC <= 0xffffffffffffull,
	       "[net] mac must be a 48-bit address");

/* Room for every known key, space-separated, in an error message. */
#define KERNEL_KEYS_TEXT_MAX 160
/* Room for one command-line value (ip=, gw=, mac=, log=). */
#define KERNEL_VALUE_MAX 32

/* What the command line and the image ask for, read before start-up. */
struct kernel_settings {
	const char *mac_source; /* "mac=", "the image", or NULL: none */
	uint8_t mac[NETDEV_MAC_LEN];
	struct net_ipv4_config ipv4;
};

static bool kernel_stopping;
static int kernel_stop_code;
/* The target's extra counters, printed before "stat end"; or NULL. */
static void (*kernel_stats_hook)(void);

static const char kernel_usage_text[] =
    "  ip=A.B.C.D/N    interface address and prefix length "
    "(default: the image's)\n"
    "  gw=A.B.C.D      default router, on that subnet\n"
    "  mac=XX:XX:XX:XX:XX:XX\n"
    "                  interface MAC, unicast (default: the image's, the "
    "device's, or random)\n"
    "  log=LEVEL       error, warn, info or debug\n";

const char *kernel_usage(void)
{
	return kernel_usage_text;
}

void kernel_request_stop(int code)
{
	if (kernel_stopping)
		return;
	kernel_stopping = true;
	kernel_stop_code = code;
}

void kernel_set_stats_hook(void (*hook)(void))
{
	kernel_stats_hook = hook;
}

void kernel_print_stat(const char *name, uint64_t value)
{
	char line[96];
	int n = fmt_snprintf(line, sizeof(line), "stat %s %llu\n", name,
			     (unsigned long long)value);

	if (n > 0 && (size_t)n < sizeof(line))
		platform_console_write(line, (size_t)n);
}

void kernel_dump_stats(void)
{
	for (int id = 0; id < NET_STAT_COUNT; id++)
		kernel_print_stat(net_stats_name((enum net_stat)id),
				  net_stats_get((enum net_stat)id));
	if (kernel_stats_hook)
		kernel_stats_hook();
	platform_console_write("stat end\n", 9);
}

/* Start-up failed; the caller has said why in one line. */
_Noreturn static void kernel_fail(int code)
{
	platform_exit(code);
}

/* ---- 1. settings -------------------------------------------------------- */

static bool kernel_mac_is_zero(const uint8_t mac[NETDEV_MAC_LEN])
{
	static const uint8_t zero[NETDEV_MAC_LEN];

	return memcmp(mac, zero, NETDEV_MAC_LEN) == 0;
}

/* A usable station address: not all zeros, not a group address. */
static bool kernel_mac_is_unicast(const uint8_t mac[NETDEV_MAC_LEN])
{
	return !kernel_mac_is_zero(mac) && (mac[0] & 0x01) == 0;
}

static const char *const *const kernel_key_sets[] = {
    cmdline_kernel_keys, platform_cmdline_keys, app_cmdline_keys, NULL};

/* Every accepted key, space-separated, into buf. */
static void kernel_keys_text(char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t s = 0; kernel_key_sets[s]; s++) {
		for (size_t k = 0; kernel_key_sets[s][k]; k++) {
			int n =
			    fmt_snprintf(buf + len, cap - len, "%s%s",
					 len ? " " : "", kernel_key_sets[s][k]);

			if (n < 0 || (size_t)n >= cap - len)
				return;
			len += (size_t)n;
		}
	}
}

static void kernel_apply_log_level(void)
{
	char value[KERNEL_VALUE_MAX];
	enum log_level level;
	int rc = cmdline_get("log", value, sizeof(value));

	if (rc == NET_ENOENT)
		return;
	if (rc < 0 || log_parse_level(value, &level) != NET_OK) {
		log_printf(LOG_ERROR,
			   "keel: log=%s: expected error, warn, "
			   "info or debug",
			   rc < 0 ? "..." : value);
		kernel_fail(KERNEL_EXIT_USAGE);
	}
	log_set_level(level);
}

/* mac=, if given, into s->mac. */
static void kernel_settings_mac(struct kernel_settings *s)
{
	char value[KERNEL_VALUE_MAX];
	int rc = cmdline_get("mac", value, sizeof(value));

	if (rc == NET_ENOENT)
		return;
	if (rc < 0 || cmdline_parse_mac(value, s->mac) != NET_OK ||
	    !kernel_mac_is_unicast(s->mac)) {
		log_printf(LOG_ERROR,
			   "keel: mac=%s: expected a unicast "
			   "address like 02:00:00:00:00:01",
			   rc < 0 ? "..." : value);
		kernel_fail(KERNEL_EXIT_USAGE);
	}
	s->mac_source = "mac=";
}

/* The image's [net] mac, if set and mac= is not, into s->mac. */
static void kernel_settings_config_mac(struct kernel_settings *s)
{
	uint64_t v = (uint64_t)CONFIG_NET_MAC;

	if (s->mac_source || v == 0)
		return;
	for (int i = 0; i < NETDEV_MAC_LEN; i++)
		s->mac[i] = (uint8_t)(v >> (8 * (NETDEV_MAC_LEN - 1 - i)));
	if (!kernel_mac_is_unicast(s->mac)) {
		log_printf(LOG_ERROR,
			   "keel: the image's [net] mac %s is not "
			   "unicast",
			   FMT_MAC(s->mac));
		kernel_fail(KERNEL_EXIT_USAGE);
	}
	s->mac_source = "the image";
}

/* The value of `key` parsed as an address: true when given. */
static bool kernel_cmdline_ipv4(const char *key, uint32_t *addr, uint32_t *mask)
{
	char value[KERNEL_VALUE_MAX];
	int rc = cmdline_get(key, value, sizeof(value));

	if (rc == NET_ENOENT)
		return false;
	if (rc >= 0 && (mask ? cmdline_parse_ipv4_prefix(value, addr, mask)
			     : cmdline_parse_ipv4(value, addr)) == NET_OK)
		return true;
	log_printf(
	    LOG_ERROR, "keel: %s=%s: expected %s", key, rc < 0 ? "..." : value,
	    mask ? "A.B.C.D/N like 10.0.0.2/24" : "A.B.C.D like 10.0.0.1");
	kernel_fail(KERNEL_EXIT_USAGE);
}

static void kernel_settings_ipv4(struct net_ipv4_config *cfg)
{
	bool have_ip = kernel_cmdline_ipv4("ip", &cfg->addr, &cfg->netmask);

	if (!have_ip) {
		cfg->addr = CONFIG_NET_IPV4_ADDR;
		cfg->netmask = CONFIG_NET_IPV4_NETMASK;
	}
	if (!kernel_cmdline_ipv4("gw", &cfg->gateway, NULL))
		cfg->gateway = have_ip ? 0 : CONFIG_NET_IPV4_GATEWAY;
	if (cfg->addr == 0 && cfg->gateway != 0) {
		log_printf(LOG_WARN, "keel: no ip address, so no gateway");
		cfg->gateway = 0;
	}
}

static void kernel_read_settings(struct kernel_settings *s)
{
	struct cmdline_error err;
	char keys[KERNEL_KEYS_TEXT_MAX];

	cmdline_set(platform_cmdline());
	if (cmdline_validate(kernel_key_sets, &err) != NET_OK) {
		kernel_keys_text(keys, sizeof(keys));
		log_printf(LOG_ERROR, "keel: command line: %s: '%s'",
			   cmdline_problem_str(err.problem), err.token);
		log_printf(LOG_ERROR, "keel: tokens are key=value; keys: %s",
			   keys);
		kernel_fail(KERNEL_EXIT_USAGE);
	}
	kernel_apply_log_level();
	memset(s, 0, sizeof(*s));
	kernel_settings_mac(s);
	kernel_settings_config_mac(s);
	kernel_settings_ipv4(&s->ipv4);
}

/* ---- 2. entropy --------------------------------------------------------- */

static void kernel_entropy(void *buf, size_t len)
{
	int rc = platform_entropy(buf, len);

	if (rc == NET_OK)
		return;
	if (rc == NET_ENOTSUP)
		log_printf(LOG_ERROR,
			   "keel: this platform has no entropy "
			   "source; refusing to start the network stack "
			   "without unpredictable ports, IDs and sequence "
			   "numbers");
	else
		log_printf(LOG_ERROR, "keel: the entropy source failed: %s",
			   net_strerror(rc));
	kernel_fail(KERNEL_EXIT_ENTROPY);
}

/* ---- 3. device ---------------------------------------------------------- */

static struct netdev *kernel_netdev(void)
{
	struct netdev *dev = platform_netdev();

	if (!dev) {
		log_printf(LOG_ERROR, "keel: no network device");
		kernel_fail(KERNEL_EXIT_NETDEV);
	}
	return dev;
}

/* ---- 4. MAC address ----------------------------------------------------- */

static void kernel_choose_mac(const struct kernel_settings *s,
			      struct netdev *dev)
{
	const char *source = s->mac_source;

	if (source) {
		memcpy(dev->mac, s->mac, NETDEV_MAC_LEN);
	} else if (kernel_mac_is_unicast(dev->mac)) {
		source = "the device";
	} else {
		/* Locally administered unicast: IEEE 802 U/L bit set. */
		kernel_entropy(dev->mac, NETDEV_MAC_LEN);
		dev->mac[0] = (uint8_t)((dev->mac[0] & 0xfc) | 0x02);
		source = "random";
	}
	log_printf(LOG_DEBUG, "keel: mac %s from %s", FMT_MAC(dev->mac),
		   source);
}

/* ---- 5. the stack ------------------------------------------------------- */

static unsigned kernel_prefix_len(uint32_t mask)
{
	unsigned n = 0;

	for (; mask & 0x80000000u; mask <<= 1)
		n++;
	return n;
}

static void kernel_set_ipv4(const struct net_ipv4_config *cfg)
{
	if (net_set_ipv4(cfg, platform_now_ms()) == NET_OK)
		return;
	log_printf(LOG_ERROR,
		   "keel: cannot use ip %s/%u gw %s: the address "
		   "must be a host on a /1../30 subnet, the gateway another "
		   "host on it",
		   FMT_IPV4(cfg->addr), kernel_prefix_len(cfg->netmask),
		   FMT_IPV4(cfg->gateway));
	kernel_fail(KERNEL_EXIT_USAGE);
}

static void kernel_log_up(const struct netdev *dev,
			  const struct net_ipv4_config *cfg)
{
	if (cfg->addr == 0)
		log_printf(LOG_INFO, "keel: up on %s mac %s, no ip address",
			   dev->name, FMT_MAC(dev->mac));
	else if (cfg->gateway == 0)
		log_printf(LOG_INFO, "keel: up on %s mac %s ip %s/%u",
			   dev->name, FMT_MAC(dev->mac), FMT_IPV4(cfg->addr),
			   kernel_prefix_len(cfg->netmask));
	else
		log_printf(LOG_INFO, "keel: up on %s mac %s ip %s/%u gw %s",
			   dev->name, FMT_MAC(dev->mac), FMT_IPV4(cfg->addr),
			   kernel_prefix_len(cfg->netmask),
			   FMT_IPV4(cfg->gateway));
}

/* ---- start-up and the loop ---------------------------------------------- */

static void kernel_start_stack(const struct kernel_settings *s)
{
	uint8_t secret[NET_SECRET_LEN];
	struct netdev *dev;
	int rc;

	kernel_entropy(secret, sizeof(secret));
	dev = kernel_netdev();
	kernel_choose_mac(s, dev);
	rc = net_init(dev, secret);
	memset(secret, 0, sizeof(secret));
	if (rc != NET_OK) {
		log_printf(LOG_ERROR, "keel: the stack refused %s: %s",
			   dev->name, net_strerror(rc));
		kernel_fail(KERNEL_EXIT_NETDEV);
	}
	kernel_set_ipv4(&s->ipv4);
	kernel_log_up(dev, &s->ipv4);
}

static void kernel_start_app(void)
{
	int rc = app_init();

	if (rc != NET_OK) {
		log_printf(LOG_ERROR,
			   "keel: the application failed to start: "
			   "%s",
			   net_strerror(rc));
		kernel_fail(KERNEL_EXIT_APP);
	}
}

static void kernel_loop(void)
{
	while (!kernel_stopping) {
		uint64_t now = platform_now_ms();
		uint64_t deadline;

		net_poll(now);
		app_poll(now);
		if (kernel_stopping)
			break;
		deadline = net_next_deadline();
		if (deadline > now + KERNEL_IDLE_MAX_MS)
			deadline = now + KERNEL_IDLE_MAX_MS;
		platform_idle(deadline);
	}
}

_Noreturn void kernel_main(void)
{
	static struct kernel_settings settings;

	kernel_read_settings(&settings);
	kernel_start_stack(&settings);
	kernel_start_app();
	kernel_loop();
	log_printf(LOG_INFO, "keel: stopped (exit %d)", kernel_stop_code);
	platform_exit(kernel_stop_code);
}
