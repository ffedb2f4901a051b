/*
 * stats_internal.h - how layers bump the counters of <net/stats.h>.
 * Internal to net/.
 */
#ifndef NET_STATS_INTERNAL_H
#define NET_STATS_INTERNAL_H

#include <net/stats.h>

extern uint64_t net_stats[NET_STAT_COUNT];

#define NET_STAT_INC(id) (net_stats[NET_STAT_##id]++)
#define NET_STAT_ADD(id, n) (net_stats[NET_STAT_##id] += (n))

#endif /* NET_STATS_INTERNAL_H */
