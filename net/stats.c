/*
 * stats.c - the stack's drop and traffic counters (see <net/stats.h>).
 *
 * Layers count through NET_STAT_INC() from stats_internal.h; the table is a
 * plain static array, so reading a counter costs nothing and needs no lock
 * in a single-threaded stack.
 */
#include <stddef.h>

#include "stats_internal.h"

uint64_t net_stats[NET_STAT_COUNT];

static const char *const stats_names[NET_STAT_COUNT] = {
#define STATS_NAME(id, name) [NET_STAT_##id] = name,
	NET_STATS_LIST(STATS_NAME)
#undef STATS_NAME
};

uint64_t net_stats_get(enum net_stat id)
{
	if ((unsigned)id >= NET_STAT_COUNT)
		return 0;
	return net_stats[id];
}

const char *net_stats_name(enum net_stat id)
{
	if ((unsigned)id >= NET_STAT_COUNT)
		return NULL;
	return stats_names[id];
}

void net_stats_reset(void)
{
	for (unsigned i = 0; i < NET_STAT_COUNT; i++)
		net_stats[i] = 0;
}
