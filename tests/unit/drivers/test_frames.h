/*
 * test_frames.h - the numbered test frames the driver tests send and
 * expect: a byte pattern from the frame's number, the number itself at
 * the start of the payload, so that a frame out of order or overwritten
 * is told apart from the one expected.
 */
#ifndef KEEL_TEST_FRAMES_H
#define KEEL_TEST_FRAMES_H

#include <stddef.h>
#include <stdint.h>

static inline void t_make_frame(uint8_t *buf, uint32_t id, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(id * 31u + i * 7u);
	if (len >= 18) {
		buf[14] = (uint8_t)(id >> 24);
		buf[15] = (uint8_t)(id >> 16);
		buf[16] = (uint8_t)(id >> 8);
		buf[17] = (uint8_t)id;
	}
}

#endif
