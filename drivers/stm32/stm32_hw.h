/*
 * stm32_hw.h - what a target gives the STM32 drivers (drivers/stm32): the
 * register-access layer.
 *
 * The drivers touch the machine only through these calls, so the same
 * unmodified source runs on the chip (boot/stm32, later) and in a host
 * process against a model of the peripheral
 * (drivers/stm32/model/stm32_eth_model.c). On the chip each call is one
 * volatile access or one instruction; in the model it is a function that
 * acts as the hardware would.
 *
 * Memory: descriptors and buffers handed to the Ethernet DMA are static
 * memory of the image. The DMA sees 32-bit bus addresses:
 * stm32_hw_dma_addr() gives the one for a static object (on the chip, the
 * pointer's value; the model keeps a table).
 */
#ifndef DRIVERS_STM32_HW_H
#define DRIVERS_STM32_HW_H

#include <stdint.h>

/* One 32-bit access to a peripheral register (Device memory). */
uint32_t stm32_hw_read32(uintptr_t addr);
void stm32_hw_write32(uintptr_t addr, uint32_t v);

/*
 * A full barrier (DSB on Cortex-M7): every load and store before it, to
 * normal memory or to a peripheral, completes before any after it. The OWN
 * hand-off relies on it: a descriptor's other words are written, then
 * OWN, then the barrier, then the poll demand.
 */
void stm32_hw_barrier(void);

/* The 32-bit bus address the Ethernet DMA uses for a static object. */
uint32_t stm32_hw_dma_addr(const void *p);

#endif /* DRIVERS_STM32_HW_H */
