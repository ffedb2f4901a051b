/*
 * main.c - kernel_main(), the one event loop (include/kernel/kernel.h).
 *
 * Start-up, in order, each step fatal with one console line and its own
 * exit code (enum kernel_exit) when it fails:
 *   1. the settings, before any device is touched: every command-line key
 *      known, log= applied, mac=, ip= and gw= parsed. The IPv4 address is
 *      ip= (and gw=) from the command line, else the image's [net] ip and
 *      gateway; gw= alone replaces the image's gateway; ip= without gw=
 *      means no default route. ip=dhcp, or an image with [net] ip =
 *      "dhcp" and no ip=, selects the DHCP client instead, with
 *      hostname= (else [dhcp] hostname) and dhcp_addr= (an address to
 *      ask for first) checked here too; gw= does not go with it;
 *   2. a 16-byte boot secret from platform_entropy(): no entropy, no stack;
 *   3. the device from platform_netdev();
 *   4. the MAC: mac=, else the image's [net] mac, else the driver's own,
 *      else a random locally administered unicast address;
 *   5. net_init() and net_set_ipv4(), or net_dhcp_start(); dns=
 *      (up to NET_DNS_SERVERS_MAX comma-separated unicast addresses,
 *      parsed in step 1) replaces the image's [dns] servers;
 *   6. app_init(): at once with a static address; with DHCP from the loop,
 *      once the first lease is bound, so that the application always
 *      starts with an address (<kernel/app.h>).
 * Then the loop runs until kernel_request_stop(). With DHCP it logs what
 * the client reports after every net_poll() (kernel_dhcp_report(): "keel:
 * dhcp bound A.B.C.D/N gw G dns D lease Ns", renewed, lost, nak,
 * declined) and gives a new lease's DNS servers to the resolver unless
 * dns= is on the command line; the client's own timers are in
 * net_next_deadline(). Nothing here touches the machine except through
 * <kernel/platform.h>.
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
#include <net/dhcp.h>
#include <net/dns.h>
#include <net/net.h>

_Static_assert((uint64_t)CONFIG_NET_MAC <= 0xffffffffffffull,
	       "[net] mac must be a 48-bit address");

/* Room for every known key, space-separated, in an error message. */
#define KERNEL_KEYS_TEXT_MAX 160
/* Room for one command-line value (ip=, gw=, mac=, log=, hostname=). */
#define KERNEL_VALUE_MAX (NET_DHCP_HOSTNAME_MAX + 1)
/* Room for the DNS servers of a lease, "a.b.c.d,..." */
#define KERNEL_DNS_TEXT_MAX (NET_DHCP_DNS_MAX * FMT_IPV4_SIZE)
/* Room for dns=: NET_DNS_SERVERS_MAX addresses and commas. */
#define KERNEL_DNS_VALUE_MAX (NET_DNS_SERVERS_MAX * FMT_IPV4_SIZE)

/* What the command line and the image ask for, read before start-up. */
struct kernel_settings {
	const char *mac_source; /* "mac=", "the image", or NULL: none */
	uint8_t mac[NETDEV_MAC_LEN];
	struct net_ipv4_config ipv4;
	bool use_dhcp;
	struct net_dhcp_config dhcp;
	char hostname[NET_DHCP_HOSTNAME_MAX + 1];
	size_t ndns; /* dns= addresses; 0: the image's [dns] servers */
	uint32_t dns[NET_DNS_SERVERS_MAX];
};

static bool kernel_stopping;
static int kernel_stop_code;
static bool kernel_app_started;
/* The address of the lease in use, for the "lost" line; 0: none. */
static uint32_t kernel_dhcp_addr;
/* The target's extra counters, printed before "stat end"; or NULL. */
static void (*kernel_stats_hook)(void);
/* The application's counters, printed after the target's; or NULL. */
static void (*kernel_app_stats_hook)(void);

static const char kernel_usage_text[] =
    "  ip=A.B.C.D/N    interface address and prefix length "
    "(default: the image's)\n"
    "  ip=dhcp         take the address from DHCP\n"
    "  gw=A.B.C.D      default router, on that subnet (static ip only)\n"
    "  hostname=NAME   host name sent to the DHCP server (default: the "
    "image's)\n"
    "  dhcp_addr=A.B.C.D\n"
    "                  address to ask the DHCP server for first\n"
    "  mac=XX:XX:XX:XX:XX:XX\n"
    "                  interface MAC, unicast (default: the image's, the "
    "device's, or random)\n"
    "  log=LEVEL       error, warn, info or debug\n"
    "  dns=A.B.C.D[,A.B.C.D...]\n"
    "                  name servers, up to 4, tried in order "
    "(default: the image's [dns] servers)\n";

const char *kernel_usage(void)
{
	return kernel_usage_text;
}

bool kernel_is_stopping(void)
{
	return kernel_stopping;
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

void kernel_set_app_stats_hook(void (*hook)(void))
{
	kernel_app_stats_hook = hook;
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
	if (kernel_app_stats_hook)
		kernel_app_stats_hook();
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

/* ip=dhcp, or no ip= on an image whose [net] ip is "dhcp". */
static bool kernel_wants_dhcp(void)
{
	char value[KERNEL_VALUE_MAX];
	int rc = cmdline_get("ip", value, sizeof(value));

	if (rc == NET_ENOENT)
		return CONFIG_NET_DHCP;
	return rc >= 0 && strcmp(value, "dhcp") == 0;
}

/* hostname=, else the image's [dhcp] hostname, into s->hostname. */
static void kernel_settings_hostname(struct kernel_settings *s)
{
	int rc = cmdline_get("hostname", s->hostname, sizeof(s->hostname));

	if (rc == NET_ENOENT) {
		_Static_assert(sizeof(CONFIG_DHCP_HOSTNAME) <=
				   NET_DHCP_HOSTNAME_MAX + 1,
			       "[dhcp] hostname must be at most 63 characters");
		memcpy(s->hostname, CONFIG_DHCP_HOSTNAME,
		       sizeof(CONFIG_DHCP_HOSTNAME));
		return;
	}
	s->dhcp.hostname = s->hostname;
	if (rc >= 0 && net_dhcp_check_config(&s->dhcp) == NET_OK)
		return;
	log_printf(LOG_ERROR,
		   "keel: hostname=%s: expected 1-63 letters, digits and "
		   "inner '-'",
		   rc < 0 ? "..." : s->hostname);
	kernel_fail(KERNEL_EXIT_USAGE);
}

static void kernel_settings_dhcp(struct kernel_settings *s)
{
	char value[KERNEL_VALUE_MAX];

	if (cmdline_get("gw", value, sizeof(value)) != NET_ENOENT) {
		log_printf(LOG_ERROR, "keel: gw= needs a static ip=; with "
				      "DHCP the lease names the router");
		kernel_fail(KERNEL_EXIT_USAGE);
	}
	kernel_settings_hostname(s);
	s->dhcp.hostname = s->hostname;
	if (kernel_cmdline_ipv4("dhcp_addr", &s->dhcp.requested_addr, NULL) &&
	    net_dhcp_check_config(&s->dhcp) != NET_OK) {
		log_printf(LOG_ERROR, "keel: dhcp_addr=%s: not a unicast "
				      "address",
			   FMT_IPV4(s->dhcp.requested_addr));
		kernel_fail(KERNEL_EXIT_USAGE);
	}
	s->use_dhcp = true;
}

/* One address of dns= at *p, stepping *p past it and a comma. */
static bool kernel_dns_next(char **p, uint32_t *addr)
{
	char *comma = strchr(*p, ',');

	if (comma)
		*comma = '\0';
	/* Unicast only: not 0/8, 127/8, class D or E (RFC 1122
	 * §3.2.1.3), as net_dns_set_servers() will insist. */
	if (cmdline_parse_ipv4(*p, addr) != NET_OK || *addr >> 24 == 0 ||
	    *addr >> 24 == 127 || *addr >> 24 >= 224)
		return false;
	*p = comma ? comma + 1 : *p + strlen(*p);
	return !comma || **p != '\0';
}

/* dns=, if given, into s->dns. */
static void kernel_settings_dns(struct kernel_settings *s)
{
	char value[KERNEL_DNS_VALUE_MAX];
	int rc = cmdline_get("dns", value, sizeof(value));
	char *p = value;

	if (rc == NET_ENOENT)
		return;
	while (rc >= 0 && *p != '\0') {
		if (s->ndns == NET_DNS_SERVERS_MAX ||
		    !kernel_dns_next(&p, &s->dns[s->ndns++]))
			rc = NET_EINVAL;
	}
	if (rc >= 0)
		return;
	log_printf(LOG_ERROR,
		   "keel: dns=...: expected up to %d unicast addresses "
		   "like 10.0.0.1,10.0.0.53",
		   NET_DNS_SERVERS_MAX);
	kernel_fail(KERNEL_EXIT_USAGE);
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
	if (kernel_wants_dhcp())
		kernel_settings_dhcp(s);
	else
		kernel_settings_ipv4(&s->ipv4);
	kernel_settings_dns(s);
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
			  const struct net_ipv4_config *cfg, bool dhcp)
{
	if (dhcp)
		log_printf(LOG_INFO, "keel: up on %s mac %s, address from dhcp",
			   dev->name, FMT_MAC(dev->mac));
	else if (cfg->addr == 0)
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

/* ---- DHCP ------------------------------------------------------------- */

static void kernel_start_dhcp(const struct net_dhcp_config *cfg)
{
	int rc = net_dhcp_start(cfg, platform_now_ms());

	if (rc == NET_OK)
		return;
	log_printf(LOG_ERROR, "keel: cannot start the DHCP client: %s",
		   net_strerror(rc));
	kernel_fail(KERNEL_EXIT_NETDEV);
}

/* The lease's DNS servers as "a.b.c.d,e.f.g.h", or "none". */
static const char *kernel_dns_text(const struct net_dhcp_lease *l, char *buf,
				   size_t cap)
{
	size_t len = 0;

	if (l->dns_count == 0)
		return "none";
	buf[0] = '\0';
	for (unsigned i = 0; i < l->dns_count; i++) {
		int n = fmt_snprintf(buf + len, cap - len, "%s%s",
				     i ? "," : "", FMT_IPV4(l->dns[i]));

		if (n < 0 || (size_t)n >= cap - len)
			break;
		len += (size_t)n;
	}
	return buf;
}

/* "120s", or "infinite" (RFC 2131 §3.3). */
static const char *kernel_lease_text(uint32_t s, char *buf, size_t cap)
{
	if (s == NET_DHCP_INFINITE)
		return "infinite";
	fmt_snprintf(buf, cap, "%lus", (unsigned long)s);
	return buf;
}

static void kernel_log_lease(const struct net_dhcp_lease *l)
{
	char dns[KERNEL_DNS_TEXT_MAX];
	char lease[16];

	log_printf(LOG_INFO, "keel: dhcp bound %s/%u gw %s dns %s lease %s",
		   FMT_IPV4(l->addr), kernel_prefix_len(l->netmask),
		   l->router ? FMT_IPV4(l->router) : "none",
		   kernel_dns_text(l, dns, sizeof(dns)),
		   kernel_lease_text(l->lease_s, lease, sizeof(lease)));
	if (l->mtu)
		log_printf(LOG_INFO, "keel: dhcp interface mtu %u", l->mtu);
}

/* A lease's DNS servers replace the image's, unless dns= names some. */
static void kernel_dhcp_dns(const struct net_dhcp_lease *l)
{
	char value[KERNEL_VALUE_MAX];
	int rc;

	if (l->dns_count == 0 ||
	    cmdline_get("dns", value, sizeof(value)) != NET_ENOENT)
		return;
	rc = net_dns_set_servers(l->dns, l->dns_count);
	if (rc != NET_OK)
		log_printf(LOG_WARN, "keel: dhcp dns servers refused: %s",
			   net_strerror(rc));
}

/* What the DHCP client did since the last turn, on the console. */
static void kernel_dhcp_report(void)
{
	unsigned ev = net_dhcp_take_events();
	struct net_dhcp_lease l;

	if (ev & NET_DHCP_EV_DECLINED)
		log_printf(LOG_WARN, "keel: dhcp declined an offered address "
				     "another host answers for; retrying");
	if (ev & NET_DHCP_EV_NAK)
		log_printf(LOG_WARN, "keel: dhcp nak from the server");
	if (ev & NET_DHCP_EV_LOST) {
		log_printf(LOG_WARN, "keel: dhcp lost %s",
			   FMT_IPV4(kernel_dhcp_addr));
		kernel_dhcp_addr = 0;
	}
	if (net_dhcp_lease(&l) != NET_OK)
		return;
	if (ev & NET_DHCP_EV_BOUND) {
		kernel_log_lease(&l);
		kernel_dhcp_dns(&l);
		kernel_dhcp_addr = l.addr;
	} else if (ev & NET_DHCP_EV_RENEWED) {
		char lease[16];

		log_printf(LOG_INFO, "keel: dhcp renewed %s lease %s",
			   FMT_IPV4(l.addr),
			   kernel_lease_text(l.lease_s, lease, sizeof(lease)));
	}
}

/* ---- start-up and the loop ---------------------------------------------- */

/* dns= replaces the image's servers. */
static void kernel_set_dns(const struct kernel_settings *s)
{
	if (s->ndns == 0)
		return;
	if (net_dns_set_servers(s->dns, s->ndns) == NET_OK)
		return;
	log_printf(LOG_ERROR, "keel: dns=...: name servers must be "
			      "unicast addresses");
	kernel_fail(KERNEL_EXIT_USAGE);
}

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
	if (s->use_dhcp)
		kernel_start_dhcp(&s->dhcp);
	else
		kernel_set_ipv4(&s->ipv4);
	kernel_set_dns(s);
	kernel_log_up(dev, &s->ipv4, s->use_dhcp);
}

static void kernel_start_app(void)
{
	int rc;

	kernel_app_started = true;
	rc = app_init();

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
		kernel_dhcp_report();
		/* With DHCP the application starts with the first lease. */
		if (!kernel_app_started && kernel_dhcp_addr != 0)
			kernel_start_app();
		if (kernel_app_started)
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
	if (!settings.use_dhcp)
		kernel_start_app();
	kernel_loop();
	log_printf(LOG_INFO, "keel: stopped (exit %d)", kernel_stop_code);
	platform_exit(kernel_stop_code);
}
