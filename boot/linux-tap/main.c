/*
 * main.c - entry of the hosted targets (linux-tap, stm32-model): keel as
 * a Linux process.
 *
 *   keel [key=value ...]      e.g.  keel tap=keel0 ip=10.0.0.2/24 gw=10.0.0.1
 *   keel --help
 *
 * The arguments are the kernel command line: joined with single spaces
 * into one static string that platform_cmdline() returns, and validated by
 * the kernel like any other target's. An argument holding a space or tab
 * would split into two tokens, so it is refused here. Everything else
 * happens in kernel_main(); no stdio, no allocation.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <kernel/app.h>
#include <kernel/cmdline.h>
#include <kernel/kernel.h>
#include <kernel/log.h>
#include <kernel/platform.h>
#include <keel_config.h>
#include <net/net.h>

#include "platform_linux.h"

static char main_cmdline[CMDLINE_MAX + 1];

/* Writes a string to stdout (for --help, which is not a log line). */
static void main_out(const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, s, len);

		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void main_out_keys(const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++) {
		main_out(i ? ", " : "");
		main_out(keys[i]);
		main_out("=...");
	}
	main_out(keys[0] ? "\n" : "(none)\n");
}

static void main_usage(void)
{
	main_out("usage: keel [key=value ...]\n"
		 "Runs keel's stack and application on a Linux TAP "
		 "interface.\n\nkernel keys:\n");
	main_out(kernel_usage());
	main_out("\ntarget keys:\n");
	main_out(platform_linux_usage);
	main_out("\napplication keys: ");
	main_out_keys(app_cmdline_keys);
	main_out("\nsignals: SIGUSR1 prints the counters; SIGTERM and SIGINT "
		 "print them and exit 0.\n");
}

static bool main_has_space(const char *arg)
{
	return strchr(arg, ' ') != NULL || strchr(arg, '\t') != NULL;
}

/* Checks one argument: NET_OK, or NET_EINVAL after saying why. */
static int main_check_arg(const char *arg)
{
	if (arg[0] == '-') {
		log_printf(LOG_ERROR,
			   "keel: unknown option '%s' (options are "
			   "key=value; see --help)",
			   arg);
		return NET_EINVAL;
	}
	if (main_has_space(arg)) {
		log_printf(LOG_ERROR,
			   "keel: argument '%s' holds a space; give "
			   "each key=value as one argument",
			   arg);
		return NET_EINVAL;
	}
	return NET_OK;
}

/* Joins argv[1..] into main_cmdline: NET_OK or NET_EINVAL. */
static int main_join_args(int argc, char **argv)
{
	size_t len = 0;

	for (int i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (main_check_arg(argv[i]) != NET_OK)
			return NET_EINVAL;
		if (n + (len ? 1 : 0) > CMDLINE_MAX - len) {
			log_printf(LOG_ERROR,
				   "keel: the command line is longer "
				   "than %d bytes",
				   CMDLINE_MAX);
			return NET_EINVAL;
		}
		if (len)
			main_cmdline[len++] = ' ';
		memcpy(main_cmdline + len, argv[i], n);
		len += n;
	}
	main_cmdline[len] = '\0';
	return NET_OK;
}

static bool main_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	if (main_wants_help(argc, argv)) {
		main_usage();
		return KERNEL_EXIT_OK;
	}
	if (platform_linux_start() != NET_OK) {
		log_printf(LOG_ERROR, "keel: cannot set up signal handling");
		return KERNEL_EXIT_FAILURE;
	}
	if (main_join_args(argc, argv) != NET_OK)
		return KERNEL_EXIT_USAGE;
	platform_linux_set_cmdline(main_cmdline);
	kernel_main();
}
