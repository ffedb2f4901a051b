/*
 * dns_zone_data.c - the image's zones, compiled by zonec.py from the zone
 * files that [dns-server] zones names, into the generated keel_zone.h
 * (tables laid out as dns_zone.h describes; the header defines them, so
 * this is the one file that includes it).
 */
#include "dns_zone.h"

#include <keel_zone.h>
