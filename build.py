#!/usr/bin/env python3
"""keel's one entry point: build, run, test, benchmark and size appliances.

    ./build.py build IMAGE       build images/IMAGE.toml into build/IMAGE/
    ./build.py run [IMAGE]       build and start it, and say how to reach it
    ./build.py test [TIER ...]   run test tiers (unit net fuzz cross qemu)
    ./build.py bench [SUITE ...] run benchmarks
    ./build.py size IMAGE        print flash and RAM per module
    ./build.py list              list images, tiers and suites

Standard library only (Python >= 3.11, tomllib). Whatever Debian packages a
command needs are installed with apt-get when running as root; otherwise the
exact command is printed and nothing else happens.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import dataclasses
import gzip
import hashlib
import ipaddress
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any, Callable, Iterable

ROOT = Path(__file__).resolve().parent
BUILD = ROOT / "build"
IMAGES = ROOT / "images"
SYSTEM_PYTHON = "/usr/bin/python3"  # sees Debian's scapy; PATH's may not


class KeelError(Exception):
    """A failure to report plainly: a user mistake or a failed command."""


# --------------------------------------------------------------------------
# Image definition schema
# --------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Option:
    """One key of an image definition and the CONFIG_ macro it becomes."""
    section: str
    key: str
    kind: str            # int | bool | str | ipv4 | ipv4list | prefix | mac | level | ifname | hostname
    default: Any
    macro: str
    doc: str
    lo: int | None = None
    hi: int | None = None


LOG_LEVELS = ("error", "warn", "info", "debug")

# Every option, with its default and range. docs/image-format.md describes
# the same table; `./build.py list --options` prints it, and a unit test
# checks that the document names every key.
OPTIONS: tuple[Option, ...] = (
    Option("net", "ip", "prefix", "", "CONFIG_NET_IPV4_ADDR",
           "static address with prefix length, e.g. 10.0.0.2/24, or "
           "\"dhcp\" (CONFIG_NET_DHCP); empty: none until the command "
           "line gives one"),
    Option("net", "gateway", "ipv4", "", "CONFIG_NET_IPV4_GATEWAY",
           "default router; empty: on-link traffic only"),
    Option("net", "mac", "mac", "", "CONFIG_NET_MAC",
           "MAC address; empty: the device's, else a random local one"),
    Option("net", "mtu", "int", 1500, "CONFIG_NET_MTU",
           "IP MTU in bytes; sizes every frame buffer", 576, 9000),
    Option("net", "rx_budget", "int", 64, "CONFIG_NET_RX_BUDGET",
           "frames taken from the device per poll", 1, 4096),
    Option("arp", "entries", "int", 16, "CONFIG_ARP_ENTRIES",
           "ARP cache entries", 1, 1024),
    Option("arp", "queue", "int", 8, "CONFIG_ARP_QUEUE",
           "frames held while their next hop resolves", 1, 256),
    Option("arp", "ttl_ms", "int", 60000, "CONFIG_ARP_TTL_MS",
           "how long a resolved entry is trusted", 1000, 3600000),
    Option("arp", "request_interval_ms", "int", 1000,
           "CONFIG_ARP_REQUEST_INTERVAL_MS",
           "minimum time between requests for one address", 10, 60000),
    Option("arp", "retries", "int", 3, "CONFIG_ARP_RETRIES",
           "requests sent before an address counts as unreachable", 1, 16),
    Option("arp", "locktime_ms", "int", 1000, "CONFIG_ARP_LOCKTIME_MS",
           "a confirmed entry ignores a different MAC for this long",
           0, 60000),
    Option("ipv4", "ttl", "int", 64, "CONFIG_IPV4_TTL",
           "TTL of datagrams we send", 1, 255),
    Option("ipv4", "reasm_slots", "int", 4, "CONFIG_IPV4_REASM_SLOTS",
           "datagrams reassembled at once", 1, 64),
    Option("ipv4", "reasm_max", "int", 9216, "CONFIG_IPV4_REASM_MAX",
           "largest datagram payload reassembled or sent (multiple of 8)",
           576, 65528),
    Option("ipv4", "reasm_timeout_ms", "int", 30000,
           "CONFIG_IPV4_REASM_TIMEOUT_MS",
           "time allowed for all fragments of a datagram", 1000, 120000),
    Option("icmp", "rate_per_s", "int", 100, "CONFIG_ICMP_RATE_PER_S",
           "ICMP error messages per second (echo replies are not limited)",
           1, 100000),
    Option("icmp", "burst", "int", 20, "CONFIG_ICMP_BURST",
           "ICMP error messages allowed in a burst", 1, 10000),
    Option("udp", "sockets", "int", 8, "CONFIG_UDP_SOCKETS",
           "UDP sockets", 1, 1024),
    Option("udp", "rx_ring", "int", 16384, "CONFIG_UDP_RX_RING",
           "bytes of queued datagrams per UDP socket", 64, 16777216),
    Option("tcp", "sockets", "int", 8, "CONFIG_TCP_SOCKETS",
           "TCP connections, listeners and accepted ones together",
           2, 1024),
    Option("tcp", "rx_ring", "int", 65536, "CONFIG_TCP_RX_RING",
           "receive ring (and largest window) per TCP connection, bytes",
           1024, 1 << 24),
    Option("tcp", "tx_ring", "int", 65536, "CONFIG_TCP_TX_RING",
           "send ring per TCP connection, bytes", 1024, 1 << 24),
    Option("tcp", "backlog", "int", 8, "CONFIG_TCP_BACKLOG",
           "largest listen queue (half-open plus completed connections)",
           1, 256),
    Option("tcp", "msl_ms", "int", 30000, "CONFIG_TCP_MSL_MS",
           "maximum segment lifetime; TIME_WAIT lasts twice this",
           100, 120000),
    Option("tcp", "rto_min_ms", "int", 200, "CONFIG_TCP_RTO_MIN_MS",
           "smallest retransmission timeout (RFC 6298 says 1000)",
           200, 1000),
    Option("tcp", "rto_max_ms", "int", 60000, "CONFIG_TCP_RTO_MAX_MS",
           "largest retransmission timeout after backoff", 1000, 120000),
    Option("tcp", "delack_ms", "int", 40, "CONFIG_TCP_DELACK_MS",
           "longest an ACK is delayed (RFC 9293 §3.8.6.3: under 500)",
           1, 200),
    Option("tcp", "keepalive_idle_ms", "int", 7200000,
           "CONFIG_TCP_KEEPALIVE_IDLE_MS",
           "idle time before the first keepalive probe", 1000, 86400000),
    Option("tcp", "keepalive_interval_ms", "int", 75000,
           "CONFIG_TCP_KEEPALIVE_INTERVAL_MS",
           "time between unanswered keepalive probes", 100, 3600000),
    Option("tcp", "keepalive_count", "int", 9, "CONFIG_TCP_KEEPALIVE_COUNT",
           "unanswered probes before the connection is dropped", 1, 100),
    Option("tcp", "syn_cookies", "bool", True, "CONFIG_TCP_SYN_COOKIES",
           "answer SYNs with SYN cookies when a listen queue is full"),
    Option("tcp", "challenge_ack_per_s", "int", 100,
           "CONFIG_TCP_CHALLENGE_ACK_PER_S",
           "RFC 5961 challenge ACKs sent per second over all connections, "
           "on average (each second's budget is random, about n/2..3n/2)",
           1, 100000),
    Option("dns", "servers", "ipv4list", [], "CONFIG_DNS_SERVERS",
           "resolver's name servers, tried in order; dns= overrides, a "
           "DHCP lease replaces", 0, 4),
    Option("dns", "queries", "int", 4, "CONFIG_DNS_QUERIES",
           "lookups in progress at once (each takes a UDP socket)", 1, 64),
    Option("dns", "cache", "int", 16, "CONFIG_DNS_CACHE",
           "cached answers, positive and negative", 1, 1024),
    Option("dns", "attempts", "int", 3, "CONFIG_DNS_ATTEMPTS",
           "queries sent per name, rotating over the servers", 1, 16),
    Option("dns", "timeout_ms", "int", 1000, "CONFIG_DNS_TIMEOUT_MS",
           "first wait for an answer; doubles after each round of servers",
           100, 30000),
    Option("dns", "max_ttl", "int", 3600, "CONFIG_DNS_MAX_TTL",
           "longest an answer is cached, seconds", 1, 604800),
    Option("dns", "neg_ttl_max", "int", 300, "CONFIG_DNS_NEG_TTL_MAX",
           "longest a NXDOMAIN or NODATA answer is cached, seconds; "
           "0: never", 0, 86400),
    Option("dns", "tcp_max", "int", 4096, "CONFIG_DNS_TCP_MAX",
           "largest answer taken over TCP after a truncated one, bytes",
           512, 65535),
    Option("dhcp", "hostname", "hostname", "", "CONFIG_DHCP_HOSTNAME",
           "host name sent to the DHCP server (option 12), one label of "
           "letters, digits and '-'; empty: none; hostname= overrides"),
    Option("log", "level", "level", "info", "CONFIG_LOG_LEVEL",
           "console verbosity: error, warn, info or debug"),
    Option("tap", "ifname", "ifname", "keel0", "CONFIG_TAP_IFNAME",
           "TAP interface the linux-tap and stm32-model targets attach "
           "to"),
    Option("impair", "slots", "int", 256, "CONFIG_IMPAIR_SLOTS",
           "frames each direction of the impair= test layer can hold "
           "back (each mtu + 14 bytes)", 1, 4096),
    Option("virtio", "queue_size", "int", 256, "CONFIG_VIRTIO_QUEUE_SIZE",
           "largest virtqueue set up, descriptors (a power of 2; a device "
           "offering fewer gets fewer)", 2, 32768),
    Option("virtio", "rx_buffers", "int", 64, "CONFIG_VIRTIO_RX_BUFFERS",
           "virtio-net receive buffers kept posted (each 12 + mtu + 14 "
           "bytes, at least 1526)", 1, 32768),
    Option("virtio", "tx_buffers", "int", 32, "CONFIG_VIRTIO_TX_BUFFERS",
           "virtio-net transmit buffers (each 12 + mtu + 14 bytes)",
           1, 32768),
    Option("virtio", "rng_polls", "int", 1000000, "CONFIG_VIRTIO_RNG_POLLS",
           "times one virtio_rng_read() looks for the device's answer "
           "before it fails with NET_EIO", 1, 1 << 30),
    Option("stm32", "rx_descriptors", "int", 8, "CONFIG_STM32_ETH_RX_DESCS",
           "STM32 ETH receive descriptors, each with a 1536-byte buffer "
           "(more when mtu is over 1500)", 2, 256),
    Option("stm32", "tx_descriptors", "int", 4, "CONFIG_STM32_ETH_TX_DESCS",
           "STM32 ETH transmit descriptors, each with a 1536-byte buffer",
           2, 256),
    Option("stm32", "phy_addr", "int", 0, "CONFIG_STM32_ETH_PHY_ADDR",
           "MDIO address of the Ethernet PHY (LAN8742A on NUCLEO-144: 0)",
           0, 31),
    Option("stm32", "polls", "int", 100000, "CONFIG_STM32_ETH_POLLS",
           "times the STM32 ETH driver reads a register waiting for the "
           "DMA reset, an MDIO transfer or the PHY reset to finish",
           1, 1 << 30),
    Option("stm32", "stack", "int", 8192, "CONFIG_STM32_STACK",
           "bytes of the STM32 firmware's kernel stack (a multiple of 32; "
           "the 64 KiB below it, under RAM, are an MPU guard); counted in "
           "the RAM figures",
           1024, 262144),
    Option("budget", "ram", "int", 0, "CONFIG_BUDGET_RAM",
           "build fails when static RAM (data + bss) exceeds this; 0: none",
           0, 1 << 40),
    Option("budget", "flash", "int", 0, "CONFIG_BUDGET_FLASH",
           "build fails when text + rodata + data exceed this; 0: none",
           0, 1 << 40),
)

# Options of each application, in a section named after it.
APP_OPTIONS: dict[str, tuple[Option, ...]] = {
    "resolve": (
        Option("resolve", "port", "int", 5300, "CONFIG_APP_RESOLVE_PORT",
               "UDP port taking names to resolve; 0: none", 0, 65535),
    ),
    "dns-server": (
        Option("dns-server", "zones", "paths", [],
               "CONFIG_APP_DNS_SERVER_ZONES",
               "zone files (RFC 1035 master files), relative to the "
               "repository; compiled into the image", 1, 255),
        Option("dns-server", "port", "int", 53, "CONFIG_APP_DNS_SERVER_PORT",
               "UDP and TCP port served; port= overrides", 1, 65535),
        Option("dns-server", "edns_payload", "int", 1232,
               "CONFIG_APP_DNS_SERVER_EDNS_PAYLOAD",
               "UDP payload size advertised in EDNS(0) and the most sent "
               "over UDP", 512, 4096),
        Option("dns-server", "rrl_rate", "int", 100,
               "CONFIG_APP_DNS_SERVER_RRL_RATE",
               "UDP responses per second to one client /24 before rate "
               "limiting; 0: off; rrl_rate= overrides", 0, 1000000),
        Option("dns-server", "rrl_slip", "int", 2,
               "CONFIG_APP_DNS_SERVER_RRL_SLIP",
               "every Nth limited response goes out truncated (TC) instead "
               "of dropped; 0: drop all; rrl_slip= overrides", 0, 10),
        Option("dns-server", "rrl_buckets", "int", 256,
               "CONFIG_APP_DNS_SERVER_RRL_BUCKETS",
               "client networks tracked by rate limiting", 1, 65536),
        Option("dns-server", "tcp_clients", "int", 4,
               "CONFIG_APP_DNS_SERVER_TCP_CLIENTS",
               "TCP connections served at once; more are reset", 1, 1023),
        Option("dns-server", "tcp_idle_ms", "int", 10000,
               "CONFIG_APP_DNS_SERVER_TCP_IDLE_MS",
               "a TCP connection without a query for this long is closed",
               100, 600000),
        Option("dns-server", "tcp_response_max", "int", 16384,
               "CONFIG_APP_DNS_SERVER_TCP_RESPONSE_MAX",
               "largest response over TCP, bytes (larger ones are "
               "truncated)", 512, 65535),
    ),
    "udp-echo": (
        Option("udp-echo", "port", "int", 7, "CONFIG_APP_UDP_ECHO_PORT",
               "UDP port echoed", 1, 65535),
    ),
    "https": (
        Option("https", "port", "int", 443, "CONFIG_APP_HTTPS_PORT",
               "TCP port served with HTTP/1.1 over TLS", 1, 65535),
        Option("https", "connections", "int", 8,
               "CONFIG_APP_HTTPS_CONNECTIONS",
               "connections served at once; one more is kept to answer "
               "503 while all are busy", 1, 256),
        Option("https", "site", "path", "", "CONFIG_APP_HTTPS_SITE",
               "directory of static files embedded in the image, "
               "relative to the image definition; empty: none"),
        Option("https", "cert", "path", "", "CONFIG_APP_HTTPS_CERT",
               "PEM certificate (chain) to serve; empty: a self-signed "
               "development one made at build time (with a warning)"),
        Option("https", "key", "path", "", "CONFIG_APP_HTTPS_KEY",
               "PEM private key (unencrypted) of cert"),
        Option("https", "routes", "pathlist", [], "CONFIG_APP_HTTPS_ROUTES",
               "C files that register request handlers, relative to the "
               "image definition"),
        Option("https", "tls12", "bool", False, "CONFIG_APP_HTTPS_TLS12",
               "offer TLS 1.2 besides TLS 1.3 (ECDHE with AEAD suites "
               "only)"),
        Option("https", "tls_memory", "int", 49152,
               "CONFIG_APP_HTTPS_TLS_MEMORY",
               "bytes of wolfSSL's static memory pool per connection",
               32768, 1 << 22),
        Option("https", "request_timeout_ms", "int", 10000,
               "CONFIG_APP_HTTPS_REQUEST_TIMEOUT_MS",
               "time allowed for a handshake, or a request once begun; "
               "then 408", 100, 600000),
        Option("https", "idle_timeout_ms", "int", 30000,
               "CONFIG_APP_HTTPS_IDLE_TIMEOUT_MS",
               "a kept-alive connection idle this long is closed",
               100, 3600000),
        Option("https", "header_max", "int", 8192,
               "CONFIG_APP_HTTPS_HEADER_MAX",
               "largest request head (line and fields), bytes; more: 431",
               256, 65536),
        Option("https", "target_max", "int", 2048,
               "CONFIG_APP_HTTPS_TARGET_MAX",
               "longest request target, bytes; more: 414", 16, 65536),
        Option("https", "body_max", "int", 8192, "CONFIG_APP_HTTPS_BODY_MAX",
               "largest request body, bytes; more: 413", 0, 1 << 20),
        Option("https", "response_max", "int", 16384,
               "CONFIG_APP_HTTPS_RESPONSE_MAX",
               "largest response a route handler can build, bytes",
               1024, 1 << 20),
    ),
    "tcp-echo": (
        Option("tcp-echo", "port", "int", 7, "CONFIG_APP_TCP_ECHO_PORT",
               "TCP port echoed (RFC 862)", 1, 65535),
        Option("tcp-echo", "sink_port", "int", 9,
               "CONFIG_APP_TCP_ECHO_SINK_PORT",
               "TCP port that checks what it receives; 0: off", 0, 65535),
        Option("tcp-echo", "source_port", "int", 19,
               "CONFIG_APP_TCP_ECHO_SOURCE_PORT",
               "TCP port that sends the bytes asked for; 0: off", 0, 65535),
        Option("tcp-echo", "keepalive", "bool", False,
               "CONFIG_APP_TCP_ECHO_KEEPALIVE",
               "keepalive probes on every accepted connection ([tcp] "
               "keepalive_* set their times)"),
    ),
}


@dataclasses.dataclass(frozen=True)
class Target:
    """How to build for one target."""
    name: str
    hosted: bool                 # a Linux process rather than a kernel
    sources: tuple[str, ...]     # globs relative to ROOT (.c and .S)
    includes: tuple[str, ...]
    target_sections: tuple[str, ...]  # option sections only it accepts
    cflags: tuple[str, ...] = ()  # a kernel's code-generation flags
    linker_script: str = ""      # a kernel is linked with ld -n -T this
    output: str = "keel"         # the file in build/<image>/
    tools: str = ""              # binutils/gcc prefix ("aarch64-linux-gnu-")
    libgcc: bool = False         # link gcc's libgcc.a (the cflags' variant)
    # Link with --gc-sections (objects built with -ffunction-sections
    # -fdata-sections) and a map file; sizes and budgets then come from
    # what the map says was linked, not from the objects.
    gc_sections: bool = False
    objcopy: tuple[str, ...] = ()  # also write output's .bin/.hex: formats


# Freestanding C for a kernel target: no host headers or libraries (gcc's
# own stdint.h/stddef.h/stdarg.h come back with -isystem at build time,
# string.h from kernel/lib/libc), no PIC, no stack protector or unwind
# tables, frame pointers kept and no sibling calls so that the exception
# report's backtrace is whole.
FREESTANDING_CFLAGS = ("-ffreestanding", "-nostdinc", "-fno-pic", "-fno-pie",
                       "-fno-stack-protector",
                       "-fno-asynchronous-unwind-tables",
                       "-fno-omit-frame-pointer",
                       "-fno-optimize-sibling-calls", "-O2")
# x86_64 kernel code: no red zone (interrupts push onto the stack
# below rsp), general registers only (no SSE state to save in handlers),
# no CET markers, small code model (the image lives below 2 GiB). Each
# function and object in its own section, and the link drops what nothing
# reaches (most of it in wolfSSL: 73 KB of the HTTPS image).
X86_64_CFLAGS = (*FREESTANDING_CFLAGS, "-m64", "-mno-red-zone",
                 "-mgeneral-regs-only", "-fcf-protection=none",
                 "-mcmodel=small", "-ffunction-sections", "-fdata-sections")

# aarch64 kernel code: general registers only (no FP/SIMD state to save in
# the exception vectors), no outline atomics (libgcc helpers) or branch
# protection, small code model (the image lives at 0x40200000); sections
# per function and object, dropped when unreached, as for x86_64.
AARCH64_CFLAGS = (*FREESTANDING_CFLAGS, "-mgeneral-regs-only",
                  "-mno-outline-atomics", "-mbranch-protection=none",
                  "-mcmodel=small", "-ffunction-sections", "-fdata-sections")

# Cortex-M7 firmware (STM32F767): Thumb-2, soft-float (the FPU stays off:
# no FP registers to save, and neither keel nor wolfSSL computes in floating
# point), -Os for flash; the same flags build wolfSSL. libgcc gives the
# 64-bit divisions (__aeabi_uldivmod) for this CPU.
# Each function and object in its own section, so that the link drops
# what nothing calls (the DHCP client of an image with a static address,
# say): flash is the scarce resource.
# No frame pointer: Thumb code keeps it in r7, which wolfSSL's Thumb
# assembly (sp_int.c) needs, and the fault report walks no frames.
CORTEX_M7_CFLAGS = (*(f for f in FREESTANDING_CFLAGS
                      if f != "-fno-omit-frame-pointer"),
                    "-fomit-frame-pointer", "-mcpu=cortex-m7", "-mthumb",
                    "-mfloat-abi=soft", "-Os", "-ffunction-sections",
                    "-fdata-sections")

# What every kernel target's machine layer shares (kernel/arch/common/):
# the exception report's lines, the test keys fault= and stop_ms=, the
# entropy chain; and, for targets that link drivers/virtio, the MMIO half
# of virtio_hw.h.
ARCH_COMMON_SOURCES = ("kernel/arch/common/fault.c",
                       "kernel/arch/common/testkey.c",
                       "kernel/arch/common/entropy.c")
ARCH_COMMON_VIRTIO_SOURCES = ("kernel/arch/common/hw_mmio.c",)

TARGETS: dict[str, Target] = {
    "linux-tap": Target(
        name="linux-tap",
        hosted=True,
        sources=("kernel/*.c", "kernel/lib/fmt.c", "kernel/lib/siphash.c",
                 "net/*.c", "drivers/tap/*.c", "drivers/impair/*.c",
                 "boot/linux-tap/*.c"),
        includes=("kernel/include", "kernel/lib/include", "net/include",
                  "drivers/tap", "drivers/impair"),
        target_sections=("tap", "impair"),
    ),
    # The STM32 Ethernet driver, unmodified, on the model of its MAC/DMA
    # and PHY (drivers/stm32/model), the model's wire bridged to a TAP
    # device: a Linux process like linux-tap, sharing its process parts.
    "stm32-model": Target(
        name="stm32-model",
        hosted=True,
        sources=("kernel/*.c", "kernel/lib/fmt.c", "kernel/lib/siphash.c",
                 "net/*.c", "drivers/tap/*.c", "drivers/stm32/*.c",
                 "drivers/stm32/model/*.c", "boot/linux-tap/main.c",
                 "boot/linux-tap/platform.c", "boot/stm32-model/*.c"),
        includes=("kernel/include", "kernel/lib/include", "net/include",
                  "drivers/tap", "drivers/stm32", "boot/linux-tap"),
        target_sections=("tap",),
    ),
    # The unikernel QEMU boots with -kernel (PVH) on -M microvm, pc or q35.
    "x86_64": Target(
        name="x86_64",
        hosted=False,
        sources=("kernel/*.c", "kernel/lib/string.c", "kernel/lib/fmt.c",
                 "kernel/lib/siphash.c", "net/*.c", "drivers/null/*.c",
                 "drivers/virtio/*.c", "kernel/arch/x86_64/*.c",
                 "kernel/arch/x86_64/*.S", *ARCH_COMMON_SOURCES,
                 *ARCH_COMMON_VIRTIO_SOURCES,
                 "boot/x86_64/*.c", "boot/x86_64/*.S"),
        includes=("kernel/include", "kernel/lib/include", "kernel/lib/libc",
                  "net/include", "kernel/arch/x86_64/include",
                  "kernel/arch/common/include",
                  "drivers/virtio", "drivers/null"),
        target_sections=(),
        cflags=X86_64_CFLAGS,
        linker_script="boot/x86_64/linker.ld",
        output="keel.elf",
        gc_sections=True,
    ),
    # The unikernel qemu-system-aarch64 boots with -M virt -kernel (ELF).
    "aarch64": Target(
        name="aarch64",
        hosted=False,
        sources=("kernel/*.c", "kernel/lib/string.c", "kernel/lib/fmt.c",
                 "kernel/lib/siphash.c", "net/*.c", "drivers/null/*.c",
                 "drivers/virtio/*.c",
                 "kernel/arch/aarch64/*.c", "kernel/arch/aarch64/*.S",
                 *ARCH_COMMON_SOURCES, *ARCH_COMMON_VIRTIO_SOURCES,
                 "boot/aarch64/*.c", "boot/aarch64/*.S"),
        includes=("kernel/include", "kernel/lib/include", "kernel/lib/libc",
                  "net/include", "kernel/arch/aarch64/include",
                  "kernel/arch/common/include",
                  "drivers/virtio", "drivers/null"),
        target_sections=(),
        cflags=AARCH64_CFLAGS,
        linker_script="boot/aarch64/linker.ld",
        output="keel.elf",
        gc_sections=True,
        tools="aarch64-linux-gnu-",
    ),
    # Firmware for the NUCLEO-F767ZI: keel.elf, and keel.bin (raw, for
    # 0x08000000) and keel.hex for a flasher; docs/stm32.md.
    "stm32f767-nucleo": Target(
        name="stm32f767-nucleo",
        hosted=False,
        sources=("kernel/*.c", "kernel/lib/string.c", "kernel/lib/fmt.c",
                 "kernel/lib/siphash.c", "net/*.c", "drivers/stm32/*.c",
                 "kernel/arch/cortex-m/*.c", "kernel/arch/cortex-m/*.S",
                 # No command line on a board: no testkey.c.
                 "kernel/arch/common/fault.c",
                 "kernel/arch/common/entropy.c",
                 "boot/stm32/*.c", "boot/stm32/*.S"),
        includes=("kernel/include", "kernel/lib/include", "kernel/lib/libc",
                  "net/include", "kernel/arch/cortex-m/include",
                  "kernel/arch/common/include", "drivers/stm32"),
        target_sections=(),
        cflags=CORTEX_M7_CFLAGS,
        linker_script="boot/stm32/linker.ld",
        output="keel.elf",
        tools="arm-none-eabi-",
        libgcc=True,
        gc_sections=True,
        objcopy=("binary", "ihex"),
    ),
}

APPS: dict[str, str] = {"dns-server": "apps/dns_server",
                        "udp-echo": "apps/udp_echo",
                        "tcp-echo": "apps/tcp_echo",
                        "resolve": "apps/resolve",
                        "https": "apps/https"}
TLS_APPS = frozenset({"https"})   # applications linked with wolfSSL
PATH_KINDS = ("path", "pathlist")  # options build.py reads, not C

TOP_KEYS = {"description": str, "target": str, "app": str}

ALLOCATOR_SYMBOLS = frozenset({
    "malloc", "calloc", "realloc", "reallocarray", "free", "cfree",
    "sbrk", "brk", "mmap", "mmap64", "munmap", "mremap",
    "posix_memalign", "aligned_alloc", "memalign", "valloc", "pvalloc",
    "strdup", "strndup", "wcsdup", "asprintf", "vasprintf",
    "_Znwm", "_Znam", "_ZdlPv", "_ZdaPv", "__libc_malloc",
    "__libc_calloc", "__libc_free", "__libc_realloc",
})


@dataclasses.dataclass(frozen=True)
class Image:
    name: str
    path: Path
    description: str
    target: Target
    app: str
    values: dict[str, Any]   # macro -> validated value


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", str: "a string",
            float: "a number", list: "an array", dict: "a table"}.get(
                type(value), type(value).__name__)


def _check_value(where: str, opt: Option, value: Any) -> Any:
    """Validate one value; return what render_config() needs."""
    if opt.kind in ("int",):
        if isinstance(value, bool) or not isinstance(value, int):
            raise KeelError(f"{where}: expected an integer, got "
                            f"{_type_name(value)}")
        if (opt.lo is not None and value < opt.lo) or \
           (opt.hi is not None and value > opt.hi):
            raise KeelError(f"{where}: {value} is out of range "
                            f"{opt.lo}..{opt.hi}")
        return value
    if opt.kind == "ipv4list":
        return _check_ipv4_list(where, opt, value)
    if opt.kind == "paths":
        return _check_paths(where, opt, value)
    if opt.kind == "pathlist":
        if not isinstance(value, list) or \
           not all(isinstance(v, str) and v for v in value):
            raise KeelError(f"{where}: expected an array of file paths, "
                            f"got {_type_name(value)}")
        return tuple(value)
    if opt.kind == "bool":
        if not isinstance(value, bool):
            raise KeelError(f"{where}: expected true or false, got "
                            f"{_type_name(value)}")
        return value
    if not isinstance(value, str):
        raise KeelError(f"{where}: expected a string, got "
                        f"{_type_name(value)}")
    return _check_string(where, opt, value)


def _check_ipv4_list(where: str, opt: Option, value: Any) -> tuple[int, ...]:
    """An array of unicast IPv4 addresses, at most opt.hi of them."""
    if not isinstance(value, list):
        raise KeelError(f"{where}: expected an array of IPv4 addresses, got "
                        f"{_type_name(value)}")
    if opt.hi is not None and len(value) > opt.hi:
        raise KeelError(f"{where}: at most {opt.hi} addresses, got "
                        f"{len(value)}")
    out = []
    for item in value:
        try:
            addr = ipaddress.IPv4Address(item) if isinstance(item, str) \
                else None
        except ValueError:
            addr = None
        if addr is None:
            raise KeelError(f"{where}: expected IPv4 addresses like "
                            f"\"10.0.0.1\", got {item!r}")
        if addr.is_unspecified or addr.is_loopback or addr.is_multicast \
           or addr.is_reserved:
            raise KeelError(f"{where}: {addr} is not a unicast address")
        out.append(int(addr))
    return tuple(out)


def _check_paths(where: str, opt: Option, value: Any) -> tuple[str, ...]:
    """An array of files relative to the repository, opt.lo..opt.hi."""
    if not isinstance(value, list) or \
       not all(isinstance(v, str) for v in value):
        raise KeelError(f"{where}: expected an array of file names, got "
                        f"{_type_name(value)}")
    if opt.lo is not None and len(value) < opt.lo or \
       opt.hi is not None and len(value) > opt.hi:
        raise KeelError(f"{where}: expected {opt.lo}..{opt.hi} files, got "
                        f"{len(value)}")
    for v in value:
        if not (ROOT / v).is_file():
            raise KeelError(f"{where}: no such file {v!r} (paths are "
                            f"relative to the repository)")
    return tuple(value)


def _check_string(where: str, opt: Option, value: str) -> Any:
    if opt.kind == "path":
        return value  # checked where it is read (relative to the image)
    if opt.kind == "level":
        if value not in LOG_LEVELS:
            raise KeelError(f"{where}: expected one of "
                            f"{', '.join(LOG_LEVELS)}, got {value!r}")
        return LOG_LEVELS.index(value)
    if opt.kind == "ifname":
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,15}", value):
            raise KeelError(f"{where}: expected an interface name of 1-15 "
                            f"letters, digits, '_', '.', '-', got {value!r}")
        return value
    if opt.kind == "mac":
        if value == "":
            return 0
        if not re.fullmatch(r"([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}", value):
            raise KeelError(f"{where}: expected a MAC like "
                            f"02:00:00:00:00:01, got {value!r}")
        mac = int(value.replace(":", ""), 16)
        if mac >> 40 & 1:
            raise KeelError(f"{where}: {value} is a multicast address")
        return mac
    if opt.kind == "ipv4":
        if value == "":
            return 0
        try:
            return int(ipaddress.IPv4Address(value))
        except ValueError:
            raise KeelError(f"{where}: expected an IPv4 address like "
                            f"10.0.0.1, got {value!r}") from None
    if opt.kind == "hostname":
        if value and not re.fullmatch(
                r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?", value):
            raise KeelError(f"{where}: expected a host name of 1-63 "
                            f"letters, digits and inner '-', got {value!r}")
        return value
    if opt.kind == "prefix":
        if value == "":
            return (0, 0)
        if value == "dhcp":
            return "dhcp"  # render_config(): CONFIG_NET_DHCP 1
        try:
            iface = ipaddress.IPv4Interface(value)
        except ValueError:
            iface = None
        if iface is None or "/" not in value:
            raise KeelError(f"{where}: expected an address with prefix "
                            f"length like 10.0.0.2/24, got {value!r}")
        if not 1 <= iface.network.prefixlen <= 30:
            raise KeelError(f"{where}: prefix length must be 1..30")
        if iface.ip in (iface.network.network_address,
                        iface.network.broadcast_address):
            raise KeelError(f"{where}: {iface.ip} is not a host address "
                            f"on {iface.network}")
        return (int(iface.ip), int(iface.network.netmask))
    raise AssertionError(opt.kind)


def _section_options(target: Target, app: str) -> dict[str, dict[str, Option]]:
    """The sections and keys an image with this target and app accepts."""
    out: dict[str, dict[str, Option]] = {}
    restricted = {s for t in TARGETS.values() for s in t.target_sections}
    for opt in OPTIONS:
        if opt.section in restricted and opt.section not in \
           target.target_sections:
            continue
        out.setdefault(opt.section, {})[opt.key] = opt
    for opt in APP_OPTIONS.get(app, ()):
        out.setdefault(opt.section, {})[opt.key] = opt
    return out


def load_image(path: Path) -> Image:
    """Parse and validate an image definition; errors name file and key."""
    name = path.stem
    fname = _rel(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeelError(f"{fname}: no such image definition "
                        f"(./build.py list shows the images)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise KeelError(f"{fname}: not valid TOML: {e}") from None
    for key in data:
        if key in TOP_KEYS:
            if not isinstance(data[key], str):
                raise KeelError(f"{fname}: {key}: expected a string, got "
                                f"{_type_name(data[key])}")
    for key in ("target", "app"):
        if key not in data:
            raise KeelError(f"{fname}: missing key '{key}'")
    if data["target"] not in TARGETS:
        raise KeelError(f"{fname}: target: expected one of "
                        f"{', '.join(sorted(TARGETS))}, got "
                        f"{data['target']!r}")
    if data["app"] not in APPS:
        raise KeelError(f"{fname}: app: expected one of "
                        f"{', '.join(sorted(APPS))}, got {data['app']!r}")
    target = TARGETS[data["target"]]
    app = data["app"]
    sections = _section_options(target, app)
    values = _image_values(fname, data, sections)
    return Image(name=name, path=path,
                 description=data.get("description", ""),
                 target=target, app=app, values=values)


def _image_values(fname: str, data: dict[str, Any],
                  sections: dict[str, dict[str, Option]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, table in data.items():
        if key in TOP_KEYS:
            continue
        if key not in sections:
            known = ", ".join(sorted(list(TOP_KEYS) + list(sections)))
            raise KeelError(f"{fname}: unknown key '{key}' "
                            f"(expected one of: {known})")
        if not isinstance(table, dict):
            raise KeelError(f"{fname}: [{key}]: expected a table, got "
                            f"{_type_name(table)}")
        for sub in table:
            if sub not in sections[key]:
                known = ", ".join(sorted(sections[key]))
                raise KeelError(f"{fname}: unknown key '{key}.{sub}' "
                                f"(expected one of: {known})")
    for sect, opts in sections.items():
        table = data.get(sect, {})
        for key, opt in opts.items():
            raw = table.get(key, opt.default)
            values[opt.macro] = _check_value(f"{fname}: {sect}.{key}", opt,
                                             raw)
    _check_relations(fname, values)
    return values


def _check_relations(fname: str, v: dict[str, Any]) -> None:
    """Cross-option rules (C code repeats them as _Static_asserts)."""
    if v["CONFIG_IPV4_REASM_MAX"] % 8:
        raise KeelError(f"{fname}: ipv4.reasm_max: expected a multiple of "
                        f"8, got {v['CONFIG_IPV4_REASM_MAX']}")
    if v["CONFIG_IPV4_REASM_MAX"] < v["CONFIG_NET_MTU"]:
        raise KeelError(f"{fname}: ipv4.reasm_max: must be at least "
                        f"net.mtu ({v['CONFIG_NET_MTU']})")
    if v["CONFIG_ARP_TTL_MS"] <= v["CONFIG_ARP_REQUEST_INTERVAL_MS"]:
        raise KeelError(f"{fname}: arp.ttl_ms: must exceed "
                        f"arp.request_interval_ms")
    if v["CONFIG_DNS_QUERIES"] > v["CONFIG_UDP_SOCKETS"]:
        raise KeelError(f"{fname}: dns.queries: must not exceed "
                        f"udp.sockets ({v['CONFIG_UDP_SOCKETS']})")
    conns = v.get("CONFIG_APP_HTTPS_CONNECTIONS")
    if conns is not None and v["CONFIG_TCP_SOCKETS"] < conns + 2:
        raise KeelError(f"{fname}: tcp.sockets: must be at least "
                        f"https.connections + 2 ({conns + 2}: the "
                        f"listener and the slot that answers 503)")
    if v["CONFIG_NET_IPV4_ADDR"] == "dhcp" and v["CONFIG_UDP_RX_RING"] < 1500:
        raise KeelError(f"{fname}: udp.rx_ring: must be at least 1500 "
                        f"with net.ip = \"dhcp\" (a DHCP message)")
    _check_virtio(fname, v)
    _check_address(fname, v)
    if "CONFIG_APP_DNS_SERVER_TCP_CLIENTS" in v:
        _check_dns_server(fname, v)


def _check_dns_server(fname: str, v: dict[str, Any]) -> None:
    if v["CONFIG_APP_DNS_SERVER_TCP_CLIENTS"] >= v["CONFIG_TCP_SOCKETS"]:
        raise KeelError(f"{fname}: dns-server.tcp_clients: must be below "
                        f"tcp.sockets ({v['CONFIG_TCP_SOCKETS']}; the "
                        f"listener takes one)")
    if v["CONFIG_TCP_TX_RING"] < \
       v["CONFIG_APP_DNS_SERVER_TCP_RESPONSE_MAX"] + 2:
        raise KeelError(f"{fname}: tcp.tx_ring: must hold "
                        f"dns-server.tcp_response_max + 2 bytes")


def _check_virtio(fname: str, v: dict[str, Any]) -> None:
    """[virtio]: one queue size, both pools fit in it."""
    size = v["CONFIG_VIRTIO_QUEUE_SIZE"]
    if size & (size - 1):
        raise KeelError(f"{fname}: virtio.queue_size: expected a power of "
                        f"2, got {size}")
    for key in ("rx_buffers", "tx_buffers"):
        if v[f"CONFIG_VIRTIO_{key.upper()}"] > size:
            raise KeelError(f"{fname}: virtio.{key}: must not exceed "
                            f"virtio.queue_size ({size})")


def _check_address(fname: str, v: dict[str, Any]) -> None:
    """net.ip and net.gateway together."""
    gw = v["CONFIG_NET_IPV4_GATEWAY"]
    if v["CONFIG_NET_IPV4_ADDR"] == "dhcp":
        if gw:
            raise KeelError(f"{fname}: net.gateway: not with net.ip = "
                            f"\"dhcp\" (the lease gives the router)")
        return
    addr, mask = v["CONFIG_NET_IPV4_ADDR"]
    if gw and not addr:
        raise KeelError(f"{fname}: net.gateway: set without net.ip")
    if gw and (gw & mask) != (addr & mask):
        raise KeelError(f"{fname}: net.gateway: "
                        f"{ipaddress.IPv4Address(gw)} is not on "
                        f"{ipaddress.IPv4Network((addr & mask, bin(mask).count('1')))}")
    if gw and gw == addr:
        raise KeelError(f"{fname}: net.gateway: equals net.ip")


def render_config(image: Image) -> str:
    """The generated keel_config.h: every option defined, sorted."""
    defs: dict[str, str] = {}
    files = {o.macro for v in APP_OPTIONS.values() for o in v
             if o.kind in PATH_KINDS}
    for macro, value in image.values.items():
        if macro in files:
            continue  # read by build.py, never by C
        if macro == "CONFIG_NET_IPV4_ADDR":
            # "dhcp": no static address; the kernel runs the client.
            addr, mask = (0, 0) if value == "dhcp" else value
            defs["CONFIG_NET_IPV4_ADDR"] = f"0x{addr:08x}u"
            defs["CONFIG_NET_IPV4_NETMASK"] = f"0x{mask:08x}u"
            defs["CONFIG_NET_DHCP"] = "1" if value == "dhcp" else "0"
        elif macro == "CONFIG_NET_IPV4_GATEWAY":
            defs[macro] = f"0x{value:08x}u"
        elif macro == "CONFIG_NET_MAC":
            defs[macro] = f"0x{value:012x}ull"
        elif isinstance(value, tuple) and macro == "CONFIG_DNS_SERVERS":
            # An array initializer; {0} for none (C has no empty one).
            defs[macro] = "{" + (", ".join(f"0x{a:08x}u" for a in value)
                                 or "0") + "}"
            defs["CONFIG_DNS_SERVER_COUNT"] = str(len(value))
        elif macro == "CONFIG_APP_DNS_SERVER_ZONES":
            defs[macro] = str(len(value))  # the files: keel_zone.h
        elif isinstance(value, bool):
            defs[macro] = "1" if value else "0"
        elif isinstance(value, str):
            defs[macro] = '"' + value + '"'
        elif macro.startswith("CONFIG_BUDGET_"):
            defs[macro] = f"{value}ull"
        else:
            defs[macro] = str(value)
    for name in TARGETS:
        defs[f"CONFIG_TARGET_{_ident(name)}"] = \
            "1" if name == image.target.name else "0"
    for name in APPS:
        defs[f"CONFIG_APP_{_ident(name)}"] = "1" if name == image.app else "0"
    width = max(len(k) for k in defs)
    lines = [
        "/*",
        f" * keel_config.h - generated by build.py from {_rel(image.path)}.",
        " * Do not edit: change the image definition and rebuild.",
        " */",
        "#ifndef KEEL_CONFIG_H",
        "#define KEEL_CONFIG_H",
        "",
        f'#define CONFIG_IMAGE_NAME "{image.name}"',
    ]
    for k in sorted(defs):
        lines.append(f"#define {k.ljust(width)} {defs[k]}")
    lines += ["", "#endif /* KEEL_CONFIG_H */", ""]
    return "\n".join(lines)


def _ident(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def image_path(name: str) -> Path:
    p = Path(name)
    if p.suffix == ".toml" or "/" in name:
        return p if p.is_absolute() else Path.cwd() / p
    return IMAGES / f"{name}.toml"


def all_images() -> list[Path]:
    return sorted(IMAGES.glob("*.toml"))


# --------------------------------------------------------------------------
# Packages
# --------------------------------------------------------------------------

PACKAGES: dict[str, tuple[str, ...]] = {
    "build": ("gcc", "libc6-dev", "binutils"),
    "unit": ("gcc", "libc6-dev", "binutils"),
    "net": ("gcc", "libc6-dev", "iproute2", "iputils-ping", "arping",
            "python3-scapy", "python3", "dnsmasq-base", "hping3",
            "bind9-dnsutils", "python3-dnspython", "dnsperf", "nsd",
            "curl", "openssl", "testssl.sh"),
    "fuzz": ("clang", "libclang-rt-14-dev"),
    "cross": ("gcc", "libc6-dev", "binutils", "gcc-arm-none-eabi",
              "binutils-arm-none-eabi",
              "gcc-aarch64-linux-gnu", "binutils-aarch64-linux-gnu"),
    "tls": ("dpkg-dev", "openssl"),   # apt-get source; development certs
    "bench": ("gcc", "libc6-dev", "iproute2", "iputils-ping",
              "python3", "dnsperf", "nsd", "bind9-dnsutils", "wrk",
              "lighttpd", "lighttpd-mod-wolfssl", "libssl-dev", "openssl"),
    # The qemu tier, ./build.py run and bench boot for kernel targets;
    # dig and dnspython for the DNS suite and the client run suggests.
    "qemu": ("gcc", "binutils", "qemu-system-x86", "qemu-system-arm",
             "gcc-aarch64-linux-gnu", "binutils-aarch64-linux-gnu", "passt",
             "python3", "python3-dnspython", "bind9-dnsutils"),
    "passt": ("passt",),
    # Building for a target that needs a cross toolchain (by target name).
    "aarch64": ("gcc-aarch64-linux-gnu", "binutils-aarch64-linux-gnu"),
    "stm32f767-nucleo": ("gcc-arm-none-eabi", "binutils-arm-none-eabi"),
}

_apt_updated = False


def _missing_packages(pkgs: Iterable[str]) -> list[str]:
    missing = []
    for pkg in sorted(set(pkgs)):
        r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg],
                           capture_output=True, text=True)
        if r.returncode != 0 or "install ok installed" not in r.stdout:
            missing.append(pkg)
    return missing


def ensure_packages(needs: Iterable[str]) -> None:
    """Install the Debian packages for these needs, or say how to."""
    global _apt_updated
    pkgs = [p for n in needs for p in PACKAGES.get(n, ())]
    if not shutil.which("dpkg-query"):
        return  # not Debian: assume the user installed tools by hand
    missing = _missing_packages(pkgs)
    if not missing:
        return
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if os.geteuid() != 0:
        raise KeelError("missing packages; as root run:\n  apt-get update && "
                        + shlex.join(cmd))
    say(f"installing {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if not _apt_updated:
        run_quiet(["apt-get", "update", "-q"], env=env)
        _apt_updated = True
    run_quiet(cmd, env=env)


# --------------------------------------------------------------------------
# wolfSSL: Debian's source package, fetched once into build/third_party/
# --------------------------------------------------------------------------

THIRD_PARTY = BUILD / "third_party"
WOLFSSL_VERSION = "5.5.4"   # Debian 12's; the settings are checked against it
WOLFSSL_DIR = THIRD_PARTY / f"wolfssl-{WOLFSSL_VERSION}"
APT_SOURCES = Path("/etc/apt/sources.list.d")
KEEL_DEB_SRC = APT_SOURCES / "keel-deb-src.sources"


def _apt_has_deb_src() -> bool:
    """Whether any apt source list has an enabled deb-src entry."""
    files = [Path("/etc/apt/sources.list"), *APT_SOURCES.glob("*.list"),
             *APT_SOURCES.glob("*.sources")]
    for f in files:
        try:
            text = f.read_text(errors="replace")
        except OSError:
            continue
        if re.search(r"^\s*deb-src\s", text, re.M) or \
           re.search(r"^Types:.*\bdeb-src\b", text, re.M):
            return True
    return False


def _debian_mirror() -> tuple[str, str, str]:
    """(URI, suite, Signed-By) of the first Debian main entry configured."""
    for f in sorted(APT_SOURCES.glob("*.sources")):
        for stanza in f.read_text(errors="replace").split("\n\n"):
            fields = dict(re.findall(r"^([\w-]+):\s*(.*)$", stanza, re.M))
            suites = fields.get("Suites", "").split()
            if "deb" in fields.get("Types", "").split() and suites and \
               "/debian" in fields.get("URIs", "") and \
               "security" not in fields.get("URIs", ""):
                return (fields["URIs"].split()[0], suites[0],
                        fields.get("Signed-By", ""))
    lst = Path("/etc/apt/sources.list")
    if lst.exists():
        m = re.search(r"^deb\s+(?:\[([^]]*)\]\s+)?(\S+/debian/?)\s+(\S+)",
                      lst.read_text(errors="replace"), re.M)
        if m:
            signed = re.search(r"signed-by=(\S+)", m.group(1) or "")
            return m.group(2), m.group(3), signed.group(1) if signed else ""
    raise KeelError("no Debian mirror found in /etc/apt/sources.list or "
                    f"{APT_SOURCES}/*.sources; add a deb-src line for one "
                    "and run apt-get update")


def _add_deb_src() -> None:
    """Add a deb-src entry for the configured mirror (apt checks the
    signatures of what it then fetches), and update the lists."""
    uri, suite, signed = _debian_mirror()
    text = ("# Added by keel's build.py: `apt-get source wolfssl` needs a\n"
            "# deb-src entry. Remove this file to undo.\n"
            f"Types: deb-src\nURIs: {uri}\nSuites: {suite}\n"
            "Components: main\n")
    if signed:
        text += f"Signed-By: {signed}\n"
    if os.geteuid() != 0:
        raise KeelError("wolfSSL comes from `apt-get source wolfssl`, which "
                        "needs a deb-src entry; as root run this again, or "
                        f"add one yourself, e.g. {KEEL_DEB_SRC} with:\n"
                        + text)
    say(f"no deb-src entry in apt's sources: adding {KEEL_DEB_SRC} for "
        f"{uri} {suite}")
    KEEL_DEB_SRC.write_text(text)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    say("apt-get update")
    run_quiet(["apt-get", "update", "-q"], env=env)


def fetch_wolfssl() -> Path:
    """wolfSSL's source tree, fetched with `apt-get source` on first use."""
    if (WOLFSSL_DIR / "wolfssl" / "ssl.h").exists():
        return WOLFSSL_DIR
    if not _apt_has_deb_src():
        _add_deb_src()
    THIRD_PARTY.mkdir(parents=True, exist_ok=True)
    say(f"fetching wolfSSL with apt-get source into {_rel(THIRD_PARTY)}")
    run_quiet(["apt-get", "source", "-q", "wolfssl"], cwd=THIRD_PARTY)
    if not (WOLFSSL_DIR / "wolfssl" / "ssl.h").exists():
        found = sorted(p.name for p in THIRD_PARTY.glob("wolfssl-*")
                       if p.is_dir())
        raise KeelError(f"apt-get source wolfssl gave {found or 'nothing'}; "
                        f"keel's TLS settings are made for wolfSSL "
                        f"{WOLFSSL_VERSION} (Debian 12)")
    return WOLFSSL_DIR


# --------------------------------------------------------------------------
# Running tools
# --------------------------------------------------------------------------

_quiet = False


def say(msg: str) -> None:
    if not _quiet:
        print(f"keel: {msg}", flush=True)


def warn(msg: str) -> None:
    print(f"keel: warning: {msg}", file=sys.stderr, flush=True)


def run_quiet(cmd: list[str], cwd: Path | None = None,
              env: dict[str, str] | None = None) -> str:
    """Run a command; on failure raise with its command line and output."""
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise KeelError(f"command failed ({r.returncode}): {shlex.join(cmd)}"
                        f"\n{r.stdout}{r.stderr}".rstrip())
    return r.stdout


def write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return True


# --------------------------------------------------------------------------
# Compiling
# --------------------------------------------------------------------------

WARNINGS = ("-Wall", "-Wextra", "-Werror", "-Wundef", "-Wshadow",
            "-Wstrict-prototypes", "-Wmissing-prototypes", "-Wvla",
            "-Wpointer-arith", "-Wcast-qual", "-Wwrite-strings",
            "-Wformat=2", "-Wimplicit-fallthrough")
BASE_CFLAGS = ("-std=c11", *WARNINGS, "-fno-common", "-g")
HOSTED_CFLAGS = ("-D_GNU_SOURCE", "-O2", "-fstack-protector-strong",
                 "-D_FORTIFY_SOURCE=2")
SANITIZE = ("-fsanitize=address,undefined", "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer")


@dataclasses.dataclass
class Compiler:
    """Compiles sources into an object directory, incrementally."""
    cc: str
    cflags: tuple[str, ...]
    objdir: Path

    def object_for(self, src: Path) -> Path:
        rel = _rel(src).replace("/", "__")
        return self.objdir / (rel + ".o")

    def _stale(self, src: Path, obj: Path, cmd: list[str]) -> bool:
        stamp = obj.with_suffix(".cmd")
        dep = obj.with_suffix(".d")
        if not (obj.exists() and stamp.exists() and dep.exists()):
            return True
        if stamp.read_text() != shlex.join(cmd):
            return True
        mtime = obj.stat().st_mtime
        text = dep.read_text().replace("\\\n", " ")
        for name in text.split(":", 1)[-1].split():
            p = Path(name)
            if not p.exists() or p.stat().st_mtime > mtime:
                return True
        return False

    def compile(self, sources: list[Path], extra: dict[Path, tuple[str, ...]]
                | None = None) -> list[Path]:
        self.objdir.mkdir(parents=True, exist_ok=True)
        jobs = []
        for src in sources:
            obj = self.object_for(src)
            cmd = [self.cc, *self.cflags, *(extra or {}).get(src, ()),
                   "-MMD", "-MF", str(obj.with_suffix(".d")),
                   "-c", str(src), "-o", str(obj)]
            jobs.append((src, obj, cmd))
        todo = [j for j in jobs if self._stale(*j)]
        workers = max(1, os.cpu_count() or 1)
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(self._compile_one, todo))
        errors = [r for r in results if r]
        if errors:
            raise KeelError("compilation failed:\n" + "\n".join(errors))
        return [obj for _, obj, _ in jobs]

    @staticmethod
    def _compile_one(job: tuple[Path, Path, list[str]]) -> str:
        src, obj, cmd = job
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            obj.unlink(missing_ok=True)
            return f"{_rel(src)}:\n{r.stderr.rstrip()}"
        obj.with_suffix(".cmd").write_text(shlex.join(cmd))
        return ""


def glob_sources(patterns: Iterable[str]) -> list[Path]:
    out: list[Path] = []
    for pat in patterns:
        found = sorted(ROOT.glob(pat))
        out += [p for p in found if p not in out]
    return out


def image_sources(image: Image) -> list[Path]:
    return glob_sources([*image.target.sources, f"{APPS[image.app]}/*.c"])


def image_includes(image: Image, gen: Path) -> list[str]:
    incs = [str(ROOT / i) for i in image.target.includes]
    incs.append(str(ROOT / APPS[image.app]))
    out = [f"-I{i}" for i in [*incs, str(gen)]]
    if image.app in TLS_APPS:
        # wolfSSL's headers as system headers: our warnings are not theirs.
        if not image.target.hosted:
            # wolfSSL includes stdlib.h; a kernel has none, so it gets
            # keel's empty one.
            out.append(f"-I{ROOT / 'apps/https/wolfssl/libc'}")
        out += [f"-I{ROOT / 'apps/https/wolfssl'}", "-isystem",
                str(WOLFSSL_DIR), *wolfssl_defines(image)]
    return out


def generate_config(image: Image, outdir: Path) -> Path:
    gen = outdir / "include"
    if write_if_changed(gen / "keel_config.h", render_config(image)):
        say(f"generated {_rel(gen / 'keel_config.h')}")
    if image.app == "dns-server":
        files = image.values["CONFIG_APP_DNS_SERVER_ZONES"]
        text = compile_zones([ROOT / f for f in files], "dns_zone_table")
        if write_if_changed(gen / "keel_zone.h", text):
            say(f"generated {_rel(gen / 'keel_zone.h')} from "
                f"{', '.join(files)}")
    return gen


def compile_zones(paths: list[Path], symbol: str) -> str:
    """Zone files into C tables (zonec.py); a mistake names file:line."""
    import zonec
    try:
        zones = zonec.load_zones(paths, ROOT)
        return zonec.render_c(zones, symbol, ", ".join(
            _rel(p) for p in paths))
    except zonec.ZoneError as e:
        raise KeelError(str(e)) from None


def gcc_include_dir(tools: str = "") -> str:
    """gcc's own freestanding headers (stdint.h, stddef.h, stdarg.h)."""
    return run_quiet([f"{tools}gcc", "-print-file-name=include"]).strip()


def image_cflags(image: Image, gen: Path) -> tuple[str, ...]:
    if image.target.hosted:
        return (*BASE_CFLAGS, *HOSTED_CFLAGS, *image_includes(image, gen))
    return (*BASE_CFLAGS, *image.target.cflags, "-isystem",
            gcc_include_dir(image.target.tools), *image_includes(image, gen))


def link_image(image: Image, objs: list[Path], out: Path) -> None:
    if image.target.hosted:
        run_quiet(["gcc", "-o", str(out), *map(str, objs)])
        return
    libs = []
    if image.target.libgcc:
        libs = [run_quiet([f"{image.target.tools}gcc",
                           *image.target.cflags,
                           "-print-libgcc-file-name"]).strip()]
    gc = ["--gc-sections", "-Map", str(out.with_suffix(".map"))] \
        if image.target.gc_sections else []
    run_quiet([f"{image.target.tools}ld", "-n", "--build-id=none", *gc,
               "-T", str(ROOT / image.target.linker_script), "-o", str(out),
               *map(str, objs), *libs])
    suffix = {"binary": ".bin", "ihex": ".hex"}
    for fmt in image.target.objcopy:
        run_quiet([f"{image.target.tools}objcopy", "-O", fmt, str(out),
                   str(out.with_suffix(suffix[fmt]))])


def check_toolchain(image: Image) -> None:
    """A kernel target's cross compiler must be on PATH: say which
    package gives it rather than failing on the first compile."""
    tools = image.target.tools
    if not tools:
        return
    for tool in (f"{tools}gcc", f"{tools}ld", f"{tools}objcopy"):
        if not shutil.which(tool):
            pkgs = " ".join(PACKAGES.get(image.target.name, ()))
            raise KeelError(f"{tool} is not installed; image {image.name} "
                            f"(target {image.target.name}) needs it"
                            + (f" (Debian: apt-get install {pkgs})"
                               if pkgs else ""))


def build_image(image: Image, quiet_link: bool = False) -> Path:
    """Compile and link an image; check allocators and budgets."""
    return build_image_objs(image, quiet_link)[0]


def build_image_objs(image: Image, quiet_link: bool = False
                     ) -> tuple[Path, list[Path]]:
    """build_image(), also returning every object linked."""
    outdir = BUILD / image.name
    check_toolchain(image)
    if image.app in TLS_APPS:
        ensure_packages(["tls"])
        fetch_wolfssl()
    gen = generate_config(image, outdir)
    comp = Compiler(f"{image.target.tools}gcc", image_cflags(image, gen),
                    outdir / "obj")
    sources = image_sources(image)
    if image.app in TLS_APPS:
        sources += generate_https_sources(image, outdir)
    objs = comp.compile(sources)
    if image.app in TLS_APPS:
        objs += compile_wolfssl(image)
    check_no_allocators(objs, image)
    exe = outdir / image.target.output
    link_image(image, objs, exe)
    check_budget(image, objs, exe)
    if not quiet_link:
        say(f"built {_rel(exe)} ({image.target.name}, {image.app})")
    return exe, objs


# --------------------------------------------------------------------------
# The HTTPS application: wolfSSL, certificate, site and routes
# --------------------------------------------------------------------------

# What a TLS 1.3 server needs of wolfSSL (ssl.c includes bio.c, x509.c and
# the like itself).
WOLFSSL_SOURCES = (
    "src/internal.c", "src/keys.c", "src/ssl.c", "src/tls.c", "src/tls13.c",
    "src/wolfio.c",
    *(f"wolfcrypt/src/{n}.c" for n in (
        "aes", "asn", "chacha", "chacha20_poly1305", "coding", "curve25519",
        "ecc", "error", "fe_operations", "hash", "hmac", "kdf", "logging",
        "memory", "poly1305", "random", "rsa", "sha", "sha256", "sha512",
        "signature", "sp_int", "sp_c64", "sp_c32", "wc_encrypt",
        "wc_port", "wolfmath")),
)


def wolfssl_defines(image: Image) -> tuple[str, ...]:
    tls12 = int(bool(image.values.get("CONFIG_APP_HTTPS_TLS12")))
    rsa = int(https_key_is_rsa(image))
    return ("-DWOLFSSL_USER_SETTINGS", f"-DKEEL_TLS12={tls12}",
            f"-DKEEL_RSA={rsa}")


# rsaEncryption (1.2.840.113549.1.1.1) as it appears in a DER key.
RSA_KEY_OID = bytes.fromhex("06092a864886f70d010101")


def https_key_is_rsa(image: Image) -> bool:
    """Whether the image's server key is RSA: wolfSSL is built with RSA
    only then (an ECDSA key needs none of it). Without https.key the
    development key is ECDSA P-256."""
    key = image.values.get("CONFIG_APP_HTTPS_KEY")
    if not key:
        return False
    path = image.path.parent / key
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError):
        return False   # https_cert_key() reports it
    if "BEGIN RSA PRIVATE KEY" in text:
        return True
    m = re.search(r"-----BEGIN PRIVATE KEY-----(.*?)-----END", text, re.S)
    if not m:
        return False
    try:
        der = base64.b64decode(m.group(1))
    except ValueError:
        return False
    return RSA_KEY_OID in der[:32]


def compile_wolfssl(image: Image) -> list[Path]:
    """wolfSSL's objects for this image, freestanding, cached by flags in
    build/third_party/obj/ (images with the same settings share them)."""
    tools = image.target.tools
    flags = ("-std=gnu11", "-O2", "-g", "-fno-common", "-ffreestanding",
             *image.target.cflags,
             "-nostdinc", "-isystem", gcc_include_dir(tools),
             f"-I{ROOT / 'apps/https/wolfssl/libc'}",
             f"-I{ROOT / 'kernel/lib/libc'}",
             f"-I{ROOT / 'apps/https/wolfssl'}", f"-I{WOLFSSL_DIR}",
             *wolfssl_defines(image))
    key = hashlib.sha256(shlex.join(flags).encode()).hexdigest()[:12]
    objdir = THIRD_PARTY / "obj" / f"{image.target.name}-{key}"
    if not objdir.exists():
        say(f"compiling wolfSSL {WOLFSSL_VERSION} into {_rel(objdir)}")
    comp = Compiler(f"{tools}gcc", flags, objdir)
    return comp.compile([WOLFSSL_DIR / s for s in WOLFSSL_SOURCES])


def generate_https_sources(image: Image, outdir: Path) -> list[Path]:
    """The C the HTTPS application is built with besides apps/https/:
    certificate and key, the site's files, the route registrations, and
    the route files themselves."""
    gen = outdir / "gen"
    base = image.path.parent
    v = image.values
    cert, key = https_cert_key(image, base, outdir)
    write_if_changed(gen / "https_cert.c", render_cert_c(cert, key))
    site = v["CONFIG_APP_HTTPS_SITE"]
    files = site_files(base / site, f"{_rel(image.path)}: https.site") \
        if site else []
    write_if_changed(gen / "https_site.c", render_site_c(files))
    routes = []
    for r in v["CONFIG_APP_HTTPS_ROUTES"]:
        path = (base / r).resolve()
        if not path.is_file() or path.suffix != ".c":
            raise KeelError(f"{_rel(image.path)}: https.routes: {r}: no "
                            f"such C file")
        routes.append(path)
    write_if_changed(gen / "https_routes.c", render_routes_c(routes))
    return [gen / "https_cert.c", gen / "https_site.c",
            gen / "https_routes.c", *routes]


def _pem_der(path: Path, kinds: tuple[str, ...], where: str) -> list[bytes]:
    """The DER blocks of a PEM file whose labels are among kinds."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise KeelError(f"{where}: cannot read {path}: {e}") from None
    out = []
    for m in re.finditer(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----",
                         text, re.S):
        if "ENCRYPTED" in m.group(1) or "Proc-Type" in m.group(2):
            raise KeelError(f"{where}: {path} is encrypted; keel embeds "
                            f"only unencrypted keys")
        if m.group(1) in kinds:
            try:
                out.append(base64.b64decode(m.group(2), validate=False))
            except ValueError:
                raise KeelError(f"{where}: {path}: bad base64") from None
    if not out:
        raise KeelError(f"{where}: {path}: no PEM block of type "
                        f"{' or '.join(kinds)}")
    return out


def https_cert_key(image: Image, base: Path, outdir: Path
                   ) -> tuple[list[bytes], bytes]:
    """(certificate chain, key) as DER: the image's, or a development
    pair made once with openssl into build/<image>/tls/."""
    v = image.values
    cert, key = v["CONFIG_APP_HTTPS_CERT"], v["CONFIG_APP_HTTPS_KEY"]
    where = f"{_rel(image.path)}: https"
    if bool(cert) != bool(key):
        raise KeelError(f"{where}.cert and https.key: give both or neither")
    if cert:
        certs = _pem_der(base / cert, ("CERTIFICATE",), f"{where}.cert")
        keys = _pem_der(base / key, ("PRIVATE KEY", "EC PRIVATE KEY",
                                     "RSA PRIVATE KEY"), f"{where}.key")
        return certs, keys[0]
    tls = outdir / "tls"
    cpath, kpath = tls / "cert.pem", tls / "key.pem"
    if not (cpath.exists() and kpath.exists()):
        tls.mkdir(parents=True, exist_ok=True)
        san = "DNS:localhost,DNS:keel,IP:127.0.0.1"
        addr = v["CONFIG_NET_IPV4_ADDR"]
        if addr != "dhcp" and addr[0]:
            san += f",IP:{ipaddress.IPv4Address(addr[0])}"
        say(f"no https.cert in {_rel(image.path)}: making a self-signed "
            f"ECDSA P-256 development certificate in {_rel(tls)}")
        run_quiet(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                   "ec_paramgen_curve:P-256", "-nodes", "-sha256",
                   "-days", "3650", "-subj", f"/CN={image.name}",
                   "-addext", f"subjectAltName={san}",
                   "-keyout", str(kpath), "-out", str(cpath)])
    warn(f"image {image.name} embeds a development key ({_rel(kpath)}); "
         f"set https.cert and https.key for anything but testing")
    return (_pem_der(cpath, ("CERTIFICATE",), where),
            _pem_der(kpath, ("PRIVATE KEY", "EC PRIVATE KEY"), where)[0])


def _c_bytes(name: str, data: bytes) -> str:
    """A static const byte array; never empty (C has no empty arrays)."""
    body = data or b"\0"
    lines = [", ".join(f"0x{b:02x}" for b in body[i:i + 12])
             for i in range(0, len(body), 12)]
    return (f"static const uint8_t {name}[{len(body)}] = {{\n\t"
            + ",\n\t".join(lines) + ",\n};\n")


GENERATED = ("/*\n * {name} - generated by build.py for the https "
             "application.\n * Do not edit: change the image definition "
             "and rebuild.\n */\n#include <stddef.h>\n#include <stdint.h>"
             "\n\n#include \"https.h\"\n\n")


def render_cert_c(certs: list[bytes], key: bytes) -> str:
    chain = b"".join(certs)
    return (GENERATED.format(name="https_cert.c")
            + _c_bytes("https_cert_chain", chain) + "\n"
            + _c_bytes("https_cert_key_der", key) + "\n"
            + "const struct https_cert https_cert = {\n"
            f"\t.chain = https_cert_chain,\n\t.chain_len = {len(chain)},\n"
            f"\t.key = https_cert_key_der,\n\t.key_len = {len(key)},\n"
            "};\n")


CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".json": "application/json", ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml", ".xml": "application/xml",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".ico": "image/x-icon", ".webp": "image/webp",
    ".woff2": "font/woff2", ".wasm": "application/wasm",
    ".pdf": "application/pdf",
}
COMPRESSIBLE = ("text/", "application/json", "application/xml",
                "image/svg+xml", "application/wasm")


@dataclasses.dataclass(frozen=True)
class SiteFile:
    path: str          # URL path, "/style.css"
    ctype: str
    data: bytes
    gz: bytes          # b"" when not worth it


def site_files(root: Path, where: str) -> list[SiteFile]:
    """Every file under root, sorted, with a gzip variant when the type
    compresses and gzip saves something (mtime 0: reproducible)."""
    if not root.is_dir():
        raise KeelError(f"{where}: {root} is not a directory")
    out = []
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = f.relative_to(root).as_posix()
        if any(part.startswith(".") for part in rel.split("/")):
            continue  # no dot files: .git, editor leftovers
        if not re.fullmatch(r"[A-Za-z0-9._~/-]+", rel):
            raise KeelError(f"{where}: {rel}: file names may hold only "
                            f"letters, digits and . _ ~ - (no escaping)")
        data = f.read_bytes()
        ctype = CONTENT_TYPES.get(f.suffix.lower(),
                                  "application/octet-stream")
        gz = b""
        if ctype.startswith(COMPRESSIBLE) and len(data) >= 128:
            gz = gzip.compress(data, compresslevel=9, mtime=0)
            if len(gz) >= len(data):
                gz = b""
        out.append(SiteFile("/" + rel, ctype, data, gz))
    return out


def _etag(data: bytes) -> str:
    """A strong entity tag: the first 128 bits of the content's SHA-256."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def _c_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_site_c(files: list[SiteFile]) -> str:
    out = [GENERATED.format(name="https_site.c")]
    for i, f in enumerate(files):
        out.append(_c_bytes(f"https_site_data{i}", f.data))
        if f.gz:
            out.append(_c_bytes(f"https_site_gz{i}", f.gz))
    out.append(f"const struct https_file https_site_files[] = {{\n")
    for i, f in enumerate(files):
        gz = (f"https_site_gz{i}, {len(f.gz)}, {_c_string(_etag(f.gz))}"
              if f.gz else "NULL, 0, NULL")
        out.append(f"\t{{{_c_string(f.path)}, {_c_string(f.ctype)},\n"
                   f"\t https_site_data{i}, {len(f.data)}, "
                   f"{_c_string(_etag(f.data))},\n\t {gz}}},\n")
    if not files:
        out.append("\t{NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},\n")
    out.append(f"}};\nconst size_t https_site_count = {len(files)};\n")
    return "".join(out)


def render_routes_c(routes: list[Path]) -> str:
    names = [f"https_register_{_ident(r.stem).lower()}" for r in routes]
    out = [GENERATED.format(name="https_routes.c")]
    out += [f"void {n}(void);\n" for n in names]
    out.append("\nvoid https_routes_register(void)\n{\n")
    out += [f"\t{n}();\n" for n in names]
    out.append("}\n")
    return "".join(out)


def undefined_symbols(objs: Iterable[Path], tools: str = "") -> set[str]:
    out = run_quiet([f"{tools}nm", "-u", "--format=just-symbols", *map(str, objs)])
    return {line.strip().split("@")[0] for line in out.splitlines()
            if line.strip() and not line.endswith(":")}


def defined_symbols(objs: Iterable[Path], tools: str = "") -> set[str]:
    out = run_quiet([f"{tools}nm", "--defined-only", "--format=just-symbols",
                     *map(str, objs)])
    return {line.strip() for line in out.splitlines()
            if line.strip() and not line.endswith(":")}


def check_no_allocators(objs: list[Path], image: Image) -> None:
    """Fail when any of the image's own objects references an allocator.

    A hosted image links the C library, whose own objects do contain
    malloc; what must not happen is keel code calling it, so the check
    covers every object built from this repository, defined and undefined.
    """
    t = image.target.tools
    syms = undefined_symbols(objs, t) | defined_symbols(objs, t)
    bad = sorted(syms & ALLOCATOR_SYMBOLS)
    if bad:
        users = []
        for obj in objs:
            s = undefined_symbols([obj], t) | defined_symbols([obj], t)
            if s & ALLOCATOR_SYMBOLS:
                users.append(f"{obj.name}: {', '.join(sorted(s & ALLOCATOR_SYMBOLS))}")
        raise KeelError(f"image {image.name} references allocator symbols "
                        f"(keel never allocates at run time):\n  "
                        + "\n  ".join(users))


# --------------------------------------------------------------------------
# Sizes
# --------------------------------------------------------------------------

@dataclasses.dataclass
class SectionSizes:
    text: int = 0
    rodata: int = 0
    data: int = 0
    bss: int = 0

    @property
    def ram(self) -> int:
        return self.data + self.bss

    @property
    def flash(self) -> int:
        return self.text + self.rodata + self.data

    def add(self, name: str, size: int) -> None:
        """Count an (input or output) section by its name."""
        if name.startswith(".text"):
            self.text += size
        elif name.startswith((".rodata", ".ARM.exidx", ".ARM.extab")):
            self.rodata += size
        elif name.startswith((".data", ".init_array", ".fini_array")):
            self.data += size
        elif name.startswith((".bss", "COMMON", ".tbss")):
            self.bss += size


def object_sizes(obj: Path, tools: str = "") -> SectionSizes:
    out = run_quiet([f"{tools}size", "-A", str(obj)])
    s = SectionSizes()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2 or not parts[1].isdigit():
            continue
        name, size = parts[0], int(parts[1])
        s.add(name, size)
    return s


def module_of(obj: Path) -> str:
    """build/x/obj/net__arp.c.o -> net/arp; wolfSSL's objects become
    wolfssl/..., generated ones gen/..."""
    name = obj.name.removesuffix(".o").removesuffix(".c")
    name = name.removesuffix(".S").replace("__", "/")
    name = re.sub(r"^build/third_party/wolfssl-[^/]+/", "wolfssl/", name)
    return re.sub(r"^build/[^/]+/gen/", "gen/", name)


# How `size` groups modules: the first path component, and these.
SIZE_GROUPS = {"boot": "kernel", "gen": "app", "apps": "app",
               "drivers": "drivers", "kernel": "kernel", "net": "stack",
               "wolfssl": "wolfssl"}


def module_sizes(objs: list[Path], tools: str = "") -> dict[str, SectionSizes]:
    return {module_of(o): object_sizes(o, tools) for o in objs}


# An input section line of GNU ld's map: name, address, size, file; a
# long name sits alone on its line and the rest follows on the next.
_MAP_INPUT = re.compile(r"^ (\.\S+|COMMON)\s+0x([0-9a-fA-F]+)\s+"
                        r"0x([0-9a-fA-F]+)\s+(\S+)\s*$")


def map_module_sizes(map_text: str) -> dict[str, SectionSizes]:
    """Per-module sizes of what the linker kept, from its map file:
    every input section in the memory map (the discarded ones are listed
    before it and not counted), by the object it came from. Members of
    an archive (libgcc.a(_udivmoddi4.o)) become libgcc/<member>."""
    _, _, body = map_text.partition("Linker script and memory map")
    lines = body.splitlines()
    joined = []
    for i, line in enumerate(lines):
        if re.fullmatch(r" (\.\S+|COMMON)", line) and i + 1 < len(lines):
            joined.append(line + lines[i + 1])
        else:
            joined.append(line)
    out: dict[str, SectionSizes] = {}
    for line in joined:
        m = _MAP_INPUT.match(line)
        if not m or int(m.group(3), 16) == 0:
            continue
        name, size, where = m.group(1), int(m.group(3), 16), m.group(4)
        a = re.fullmatch(r".*/(lib\w+)\.a\((.+)\.o\)", where)
        module = f"{a.group(1)}/{a.group(2)}" if a else \
            module_of(Path(where))
        out.setdefault(module, SectionSizes()).add(name, size)
    return out


def image_module_sizes(image: Image, objs: list[Path], exe: Path
                       ) -> dict[str, SectionSizes]:
    """What each module puts in the image: from the link map when the
    target drops unused sections, else from the objects."""
    if image.target.gc_sections:
        return map_module_sizes(exe.with_suffix(".map").read_text())
    return module_sizes(objs, image.target.tools)


def check_budget(image: Image, objs: list[Path], exe: Path) -> None:
    sizes = image_module_sizes(image, objs, exe).values()
    ram = sum(s.ram for s in sizes)
    flash = sum(s.flash for s in sizes)
    for what, used, macro in (("RAM", ram, "CONFIG_BUDGET_RAM"),
                              ("flash", flash, "CONFIG_BUDGET_FLASH")):
        limit = image.values[macro]
        if limit and used > limit:
            key = "budget.ram" if what == "RAM" else "budget.flash"
            raise KeelError(f"{_rel(image.path)}: {key}: image uses {used} "
                            f"bytes of {what}, over the budget of {limit}")


def print_size_table(image: Image, objs: list[Path], exe: Path) -> None:
    sizes = image_module_sizes(image, objs, exe)
    rows = sorted(sizes.items())
    print(f"{'module':32} {'text':>8} {'rodata':>8} {'data':>8} "
          f"{'bss':>8} {'RAM':>8} {'flash':>8}")
    total = SectionSizes()
    for name, s in rows:
        print(f"{name:32} {s.text:8} {s.rodata:8} {s.data:8} {s.bss:8} "
              f"{s.ram:8} {s.flash:8}")
        total.text += s.text
        total.rodata += s.rodata
        total.data += s.data
        total.bss += s.bss
    what = "total (linked)" if image.target.gc_sections else \
        "total (keel objects)"
    print(f"{what:32} {total.text:8} {total.rodata:8} "
          f"{total.data:8} {total.bss:8} {total.ram:8} {total.flash:8}")
    groups: dict[str, SectionSizes] = {}
    for name, s in rows:
        g = groups.setdefault(SIZE_GROUPS.get(name.split("/")[0], "other"),
                              SectionSizes())
        g.text += s.text
        g.rodata += s.rodata
        g.data += s.data
        g.bss += s.bss
    print()
    for name, s in sorted(groups.items()):
        print(f"{'= ' + name:32} {s.text:8} {s.rodata:8} {s.data:8} "
              f"{s.bss:8} {s.ram:8} {s.flash:8}")
    if image.target.hosted:
        print("(hosted target: the C library and the process's stack are "
              "not counted)")


# --------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------

def cmd_build(args: argparse.Namespace) -> int:
    # Every definition is read first, so a mistake in the last one stops
    # the command before any build starts.
    images = [load_image(image_path(name)) for name in args.images]
    ensure_packages(["build", *(image.target.name for image in images)])
    for image in images:
        build_image(image)
    return 0


def cmd_size(args: argparse.Namespace) -> int:
    image = load_image(image_path(args.image))
    ensure_packages(["build", image.target.name])
    exe, objs = build_image_objs(image, quiet_link=True)
    print_size_table(image, objs, exe)
    if not image.target.hosted:
        print_image_file(image, exe)
    return 0


def print_image_file(image: Image, exe: Path) -> None:
    """What the kernel file holds: the bytes QEMU loads (its PT_LOAD
    segments) beside the file's size with symbols and debug information,
    and stripped of them; then the image's budgets."""
    tools = image.target.tools
    loaded = 0
    for line in run_quiet([f"{tools}readelf", "-lW", str(exe)]).splitlines():
        f = line.split()
        if f and f[0] == "LOAD":
            loaded += int(f[4], 16)
    with tempfile.TemporaryDirectory() as tmp:
        stripped = Path(tmp) / exe.name
        run_quiet([f"{tools}strip", "-o", str(stripped), str(exe)])
        bare = stripped.stat().st_size
    print(f"\n{_rel(exe)}: {loaded} bytes loaded; the file is "
          f"{exe.stat().st_size} bytes with symbols and debug information, "
          f"{bare} stripped")
    for what, macro in (("flash", "CONFIG_BUDGET_FLASH"),
                        ("ram", "CONFIG_BUDGET_RAM")):
        limit = image.values[macro]
        print(f"budget.{what}: {limit if limit else 'none'}")


def cmd_list(args: argparse.Namespace) -> int:
    if args.options:
        for opt in OPTIONS + tuple(o for v in APP_OPTIONS.values()
                                   for o in v):
            rng = f" [{opt.lo}..{opt.hi}]" if opt.lo is not None else ""
            print(f"{opt.section}.{opt.key} = {opt.default!r}{rng}  "
                  f"-- {opt.doc}")
        return 0
    print("images:")
    for path in all_images():
        try:
            img = load_image(path)
            print(f"  {img.name:20} {img.target.name:12} {img.app:12} "
                  f"{img.description}")
        except KeelError as e:
            print(f"  {path.stem:20} (invalid: {e})")
    print("test tiers: " + " ".join(TIERS))
    print("bench suites: " + " ".join(SUITES))
    return 0


# --------------------------------------------------------------------------
# QEMU (the x86_64 and aarch64 targets)
# --------------------------------------------------------------------------

QEMU_MACHINES = ("microvm", "pc", "q35")
# --net for QEMU: "none" boots with netdev=null (drivers/null) and no
# virtio device; "user" (SLIRP, port forwards on 127.0.0.1) and "passt"
# (passt on a unix socket, -netdev stream) give a virtio-net NIC and a
# virtio-rng; "tap" is not done yet and is refused with a plain message.
QEMU_NETS = ("none", "user", "passt", "tap")
QEMU_DEFAULT_MACHINE = "microvm"
QEMU_DEFAULT_NET = "user"
QEMU_MEMORY_MB = 16
# isa-debug-exit: QEMU exits with (value << 1) | 1 (kernel/arch/x86_64).
QEMU_DEBUG_EXIT = ("-device", "isa-debug-exit,iobase=0xf4,iosize=0x04")
# Host port = guest port + this, for ./build.py run's forwards.
QEMU_HOST_PORT_OFFSET = 10000
QEMU_NETDEV_ID = "n0"

# aarch64: QEMU's virt machine only (GICv2, the default gic-version).
QEMU_ARM_MACHINES = ("virt",)
QEMU_ARM_CPUS = ("cortex-a53", "max")
# Machines whose virtio devices are virtio-mmio transports (-device
# virtio-*-device) rather than PCI functions.
QEMU_MMIO_MACHINES = ("microvm", "virt")


def qemu_machines(target: str) -> tuple[str, ...]:
    return QEMU_ARM_MACHINES if target == "aarch64" else QEMU_MACHINES


def qemu_command(elf: Path, machine: str, cmdline: str, cpu: str = "max",
                 memory_mb: int = QEMU_MEMORY_MB, target: str = "x86_64",
                 devices: Iterable[str] = ()) -> list[str]:
    """The QEMU command line that boots an x86_64 or aarch64 image;
    `devices` are more arguments (qemu_virtio_args(), a -netdev).

    microvm: no default devices, no ACPI tables, and auto-kernel-cmdline
    off, since QEMU would otherwise append a virtio_mmio.device= token per
    virtio device, which the kernel does not accept. pc and q35: -nic none
    (no default e1000 and its option ROM). aarch64 (virt): no default
    devices, and -semihosting, so that the kernel's exit code becomes
    QEMU's status.
    """
    machines = qemu_machines(target)
    if machine not in machines:
        raise KeelError(f"--machine: expected one of "
                        f"{', '.join(machines)} for {target}, got "
                        f"{machine!r}")
    if target == "aarch64":
        return ["qemu-system-aarch64", "-M", machine, "-cpu", cpu,
                "-m", f"{memory_mb}M", "-nodefaults", "-kernel", str(elf),
                "-append", cmdline, "-display", "none", "-serial", "stdio",
                "-no-reboot", "-semihosting", *devices]
    if machine == "microvm":
        mach = ["-M", "microvm,auto-kernel-cmdline=off", "-nodefaults",
                "-no-acpi"]
    else:
        mach = ["-M", machine, "-nic", "none"]
    return ["qemu-system-x86_64", *mach, "-cpu", cpu, "-m",
            f"{memory_mb}M", "-kernel", str(elf), "-append", cmdline,
            "-display", "none", "-serial", "stdio", "-no-reboot",
            *QEMU_DEBUG_EXIT, *devices]


def qemu_virtio_args(machine: str, netdev: str | None = QEMU_NETDEV_ID,
                     rng: bool = True) -> list[str]:
    """The virtio devices the kernel drives: virtio-net on `netdev` (None:
    no NIC) and virtio-rng (the entropy source of a Cortex-A53, which has
    no RNDR). Modern only: virtio-mmio on microvm and virt (QEMU 7.2 makes
    their windows legacy unless told), disable-legacy=on for PCI."""
    out: list[str] = []
    if machine in QEMU_MMIO_MACHINES:
        out += ["-global", "virtio-mmio.force-legacy=false"]
        if netdev:
            out += ["-device", f"virtio-net-device,netdev={netdev}"]
        if rng:
            out += ["-device", "virtio-rng-device"]
        return out
    if netdev:
        out += ["-device", f"virtio-net-pci,netdev={netdev},"
                "disable-legacy=on"]
    if rng:
        out += ["-device", "virtio-rng-pci,disable-legacy=on"]
    return out


@dataclasses.dataclass(frozen=True)
class Forward:
    """A host port on 127.0.0.1 forwarded to the guest's port."""
    proto: str  # "tcp" or "udp"
    host_port: int
    guest_port: int
    what: str = ""


def check_host_ports(forwards: list[Forward]) -> None:
    """Refuse, with the port named, a forward whose host port is taken:
    QEMU would stop with status 1, which reads as the guest's exit 0."""
    for f in forwards:
        kind = socket.SOCK_STREAM if f.proto == "tcp" else socket.SOCK_DGRAM
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", f.host_port))
            except OSError as e:
                raise KeelError(f"host port {f.proto} 127.0.0.1:"
                                f"{f.host_port} (for the guest's port "
                                f"{f.guest_port}) is in use: {e.strerror};"
                                f" pick other ports with --port-offset"
                                ) from None


def app_ports(image: Image) -> list[tuple[str, int, str]]:
    """(protocol, port, what) the image's application serves on."""
    v = image.values
    if image.app == "udp-echo":
        return [("udp", v["CONFIG_APP_UDP_ECHO_PORT"], "echo")]
    if image.app == "resolve":
        return [("udp", v["CONFIG_APP_RESOLVE_PORT"], "lookups")]
    if image.app == "dns-server":
        port = v["CONFIG_APP_DNS_SERVER_PORT"]
        return [("udp", port, "dns"), ("tcp", port, "dns")]
    if image.app == "https":
        return [("tcp", v["CONFIG_APP_HTTPS_PORT"], "https")]
    if image.app == "tcp-echo":
        out = [("tcp", v["CONFIG_APP_TCP_ECHO_PORT"], "echo")]
        for key, what in (("SINK", "sink"), ("SOURCE", "source")):
            if v[f"CONFIG_APP_TCP_ECHO_{key}_PORT"]:
                out.append(("tcp", v[f"CONFIG_APP_TCP_ECHO_{key}_PORT"],
                            what))
        return out
    return []


def app_forwards(image: Image, offset: int = QEMU_HOST_PORT_OFFSET
                 ) -> list[Forward]:
    """A forward per application port: host port = port + offset."""
    out = []
    for proto, port, what in app_ports(image):
        host = port + offset
        if not 1 <= host <= 65535:
            raise KeelError(f"--port-offset {offset}: port {port} would be "
                            f"host port {host}")
        out.append(Forward(proto, host, port, what))
    return out


@dataclasses.dataclass(frozen=True)
class GuestAddress:
    """The guest's static IPv4 setting (ip=/gw= else the image's)."""
    iface: ipaddress.IPv4Interface
    gateway: ipaddress.IPv4Address | None


def guest_address(image: Image, tokens: list[str]) -> GuestAddress | None:
    """The static address the kernel will use; None for DHCP or none."""
    kv = dict(t.split("=", 1) for t in tokens if "=" in t)
    if "ip" in kv:
        if kv["ip"] == "dhcp":
            return None
        try:
            iface = ipaddress.IPv4Interface(kv["ip"])
            gw = ipaddress.IPv4Address(kv["gw"]) if "gw" in kv else None
        except ValueError:
            return None  # the kernel will say what is wrong
        return GuestAddress(iface, gw)
    value = image.values["CONFIG_NET_IPV4_ADDR"]
    if value == "dhcp" or value[0] == 0:
        return None
    addr, mask = value
    gw = image.values["CONFIG_NET_IPV4_GATEWAY"]
    return GuestAddress(
        ipaddress.IPv4Interface((addr, bin(mask).count("1"))),
        ipaddress.IPv4Address(gw) if gw else None)


# QEMU's user network without net=: the guest's first DHCP address.
SLIRP_DEFAULT_GUEST = "10.0.2.15"


def slirp_netdev(forwards: Iterable[Forward], addr: GuestAddress | None,
                 netdev: str = QEMU_NETDEV_ID) -> list[str]:
    """-netdev user for the forwards. With a static guest address SLIRP's
    network is made the guest's (net=, host= the gateway), so the image
    needs no ip= of its own; with DHCP SLIRP's defaults stand."""
    opts = [f"user,id={netdev}"]
    guest = SLIRP_DEFAULT_GUEST
    if addr:
        opts.append(f"net={addr.iface.network}")
        if addr.gateway:
            opts.append(f"host={addr.gateway}")
        guest = str(addr.iface.ip)
    for f in forwards:
        opts.append(f"hostfwd={f.proto}:127.0.0.1:{f.host_port}-"
                    f"{guest}:{f.guest_port}")
    return ["-netdev", ",".join(opts)]


def passt_command(sock: Path, forwards: Iterable[Forward],
                  addr: GuestAddress | None) -> list[str]:
    """passt in the foreground for one QEMU (-1: it quits when QEMU
    goes), on 127.0.0.1 only. With a static guest address passt's DHCP
    and NAT use it (-a, -n, -g); else passt hands out the host's."""
    cmd = ["passt", "-f", "-q", "-1", "-s", str(sock)]
    if addr:
        cmd += ["-a", str(addr.iface.ip), "-n",
                str(addr.iface.network.prefixlen)]
        if addr.gateway:
            cmd += ["-g", str(addr.gateway)]
    for f in forwards:
        flag = "-t" if f.proto == "tcp" else "-u"
        cmd += [flag, f"127.0.0.1/{f.host_port}:{f.guest_port}"]
    return cmd


def passt_netdev(sock: Path, netdev: str = QEMU_NETDEV_ID) -> list[str]:
    return ["-netdev", f"stream,id={netdev},server=off,addr.type=unix,"
            f"addr.path={sock}"]


class Passt:
    """passt on a unix socket in a fresh directory, for `with`. As root
    passt drops to nobody, so the directory is left writable for it."""

    def __init__(self, forwards: Iterable[Forward],
                 addr: GuestAddress | None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="keel-passt-"))
        self.dir.chmod(0o777)
        self.sock = self.dir / "passt.sock"
        self.cmd = passt_command(self.sock, forwards, addr)
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Passt":
        if not shutil.which("passt"):
            raise KeelError("passt is not installed (Debian package "
                            "passt)")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        # QEMU 7.2 does not complain about a socket that is not there
        # yet: it just has no network. Wait for passt to bind it.
        deadline = time.monotonic() + 10
        while not self.sock.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode() if \
                    self.proc.poll() is not None and self.proc.stderr \
                    else ""
                self.__exit__()
                raise KeelError(f"passt did not start: {shlex.join(self.cmd)}"
                                f"\n{err.strip()}")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def qemu_network(machine: str, net: str, forwards: Iterable[Forward] = (),
                 addr: GuestAddress | None = None
                 ) -> tuple[list[str], Passt | None]:
    """QEMU's network and virtio arguments for `net`, on either target:
    "none" (no virtio device), "rng" (virtio-rng only), "user" (SLIRP with
    the forwards) or "passt" (the Passt returned, to be entered around
    QEMU's run); the last two with virtio-net and virtio-rng. `addr` is the
    guest's static address (None: DHCP), which SLIRP and passt are set up
    for."""
    if net == "user":
        return slirp_netdev(forwards, addr) + qemu_virtio_args(machine), None
    if net == "passt":
        passt = Passt(forwards, addr)
        return passt_netdev(passt.sock) + qemu_virtio_args(machine), passt
    if net == "rng":
        return qemu_virtio_args(machine, netdev=None), None
    if net == "none":
        return [], None
    raise KeelError(f"--net {net}: expected one of none, user, passt")


def qemu_exit_code(status: int, target: str = "x86_64") -> int | None:
    """The code the kernel gave platform_exit(), from QEMU's exit status;
    None when QEMU ended otherwise (a signal; on x86_64 also status 0).
    x86_64: status 1 is ambiguous: code 0, or QEMU failing to start (it
    says why on stderr). aarch64 (semihosting): the status is the code, so
    status 1 is code 1 or QEMU failing to start."""
    if target == "aarch64":
        return status if status >= 0 else None
    return status >> 1 if status > 0 and status & 1 else None


def qemu_cmdline(tokens: list[str], net: str, image: Image | None = None
                 ) -> str:
    """The kernel command line for run: the user's key=value tokens, plus
    netdev=null for --net none unless netdev= is given, and ip=dhcp with a
    NIC when neither the image nor the tokens give an address."""
    for tok in tokens:
        if not re.fullmatch(r"[^\s=]+=\S+", tok):
            raise KeelError(f"command line: expected key=value without "
                            f"spaces, got {tok!r}")
    if net == "none" and not any(t.startswith("netdev=") for t in tokens):
        tokens = [*tokens, "netdev=null"]
    if net != "none" and image is not None and \
       not any(t.startswith("ip=") for t in tokens) and \
       image.values["CONFIG_NET_IPV4_ADDR"] == (0, 0):
        tokens = [*tokens, "ip=dhcp"]
    line = " ".join(tokens)
    if len(line) > 2048:
        raise KeelError("command line: longer than 2048 bytes")
    return line


def _say_reach(image: Image, net: str, forwards: list[Forward],
               addr: GuestAddress | None) -> None:
    """How to reach the guest: its address, the forwards, a client."""
    import keeltest  # noqa: E402  (tests/ helpers, loaded on demand)
    where = str(addr.iface) if addr else "an address from DHCP"
    say(f"{image.name} gets {where} on the {net} network; from this host "
        f"reach it through 127.0.0.1:")
    for f in forwards:
        say(f"  {f.proto} 127.0.0.1:{f.host_port} -> port {f.guest_port}"
            f"{' (' + f.what + ')' if f.what else ''}")
    ports = {f.guest_port: f.host_port for f in forwards}
    client = keeltest.app_client(image, "127.0.0.1", ports)
    hint = keeltest.app_hint(image, "127.0.0.1", ports)
    if client:
        say(f"try:  {client}")
    elif hint:
        say(f"try:  {SYSTEM_PYTHON} -c \"{hint}\"")


@dataclasses.dataclass
class QemuRun:
    """What ./build.py run starts for a QEMU image: the command, the
    network, its forwards and the guest's address, and passt if used."""
    cmd: list[str]
    machine: str
    net: str
    forwards: list[Forward]
    addr: GuestAddress | None
    passt: Passt | None


def qemu_run_setup(image: Image, elf: Path, machine: str | None,
                   net: str | None, tokens: list[str],
                   port_offset: int = QEMU_HOST_PORT_OFFSET) -> QemuRun:
    """The QEMU run of an x86_64 or aarch64 image. Both targets take the
    same networks and forward every application port (app_forwards())."""
    target = image.target.name
    machine = machine or (QEMU_DEFAULT_MACHINE if target == "x86_64"
                          else qemu_machines(target)[0])
    net = net or (QEMU_DEFAULT_NET if app_ports(image) else "none")
    if net == "tap":
        raise KeelError(f"--net tap: not done yet for {target} images; "
                        f"--net user (the default) or --net passt give a "
                        f"NIC reachable through ports on 127.0.0.1")
    cmdline = qemu_cmdline(tokens, net, image)
    addr = guest_address(image, cmdline.split())
    forwards = app_forwards(image, port_offset) if net != "none" else []
    # Without a NIC an aarch64 guest still gets virtio-rng: a Cortex-A53
    # has no other entropy source.
    devices, passt = qemu_network(
        machine, "rng" if net == "none" and target == "aarch64" else net,
        forwards, addr)
    cmd = qemu_command(elf, machine, cmdline, target=target,
                       devices=devices)
    return QemuRun(cmd, machine, net, forwards, addr, passt)


def run_qemu(image: Image, elf: Path, args: argparse.Namespace) -> int:
    """Boot an x86_64 or aarch64 image in QEMU on this terminal until it
    exits."""
    if (args.net or "") == "passt":
        ensure_packages(["passt"])
    run = qemu_run_setup(image, elf, args.machine, args.net,
                         list(args.cmdline), args.port_offset)
    if run.net != "none":
        check_host_ports(run.forwards)
    try:
        if run.passt:
            say(f"starting passt: {shlex.join(run.passt.cmd)}")
            run.passt.__enter__()
        say(f"booting {_rel(elf)} on QEMU -M {run.machine}; Ctrl-C stops "
            f"it")
        say(shlex.join(run.cmd))
        if run.net != "none":
            _say_reach(image, run.net, run.forwards, run.addr)
        r = subprocess.run(run.cmd)
    finally:
        if run.passt:
            run.passt.__exit__()
    code = qemu_exit_code(r.returncode, image.target.name)
    if code is None:
        say(f"QEMU ended with status {r.returncode}")
        return r.returncode if r.returncode > 0 else 1
    say(f"keel exited with code {code} (QEMU status {r.returncode})")
    return code


def cmd_run(args: argparse.Namespace) -> int:
    import keeltest  # noqa: E402  (tests/ helpers, loaded on demand)
    image = load_image(image_path(args.image))
    if image.target.name in ("x86_64", "aarch64"):
        ensure_packages(["build", "qemu"])
        return run_qemu(image, build_image(image), args)
    if args.machine or args.net or \
       args.port_offset != QEMU_HOST_PORT_OFFSET:
        raise KeelError(f"--machine, --net and --port-offset are for QEMU "
                        f"targets; "
                        f"{image.name} is {image.target.name}")
    ensure_packages(["build", "net"])
    exe = build_image(image)
    if image.target.hosted:  # linux-tap, stm32-model
        return keeltest.run_tap_interactive(image, exe, args.cmdline)
    raise KeelError(f"don't know how to run target {image.target.name}")


def cmd_test(args: argparse.Namespace) -> int:
    import keeltest
    tiers = args.tiers or list(TIERS)
    for t in tiers:
        if t not in TIERS:
            raise KeelError(f"unknown test tier {t!r} (tiers: "
                            f"{', '.join(TIERS)})")
    ensure_packages(tiers)
    results = keeltest.Results()
    for t in tiers:
        print(f"== tier {t}", flush=True)
        try:
            TIERS[t](results, args)
        except KeelError as e:
            results.fail(f"{t}/setup", str(e))
    return results.summary()


def cmd_bench(args: argparse.Namespace) -> int:
    import keeltest
    suites = args.suites or list(SUITES)
    for s in suites:
        if s not in SUITES:
            raise KeelError(f"unknown bench suite {s!r} (suites: "
                            f"{', '.join(SUITES)})")
    ensure_packages(["bench"])
    for s in suites:
        print(f"== bench {s}", flush=True)
        SUITES[s](args)
    return 0


def _tier(name: str) -> Callable[..., None]:
    def call(results: Any, args: argparse.Namespace) -> None:
        import keeltest
        getattr(keeltest, f"tier_{name}")(results, args)
    return call


def _suite(name: str) -> Callable[..., None]:
    def call(args: argparse.Namespace) -> None:
        import keeltest
        getattr(keeltest, f"bench_{name}")(args)
    return call


TIERS: dict[str, Callable[..., None]] = {
    name: _tier(name) for name in ("unit", "cross", "fuzz", "net", "qemu")}
SUITES: dict[str, Callable[..., None]] = {
    name: _suite(name) for name in ("ping", "udp", "tcp", "dns", "https",
                                       "boot")}


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="build.py", description="Build, run, test and measure keel "
        "appliances.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    s = sub.add_parser("build", help="build images",
                       description="Build images/IMAGE.toml into "
                       "build/IMAGE/, for each IMAGE in turn.")
    s.add_argument("images", metavar="IMAGE", nargs="+",
                   help="image name or .toml path")
    s.set_defaults(func=cmd_build)
    s = sub.add_parser("run", help="build and start an image",
                       description="Build an image and start it; prints "
                       "how to reach it. Ctrl-C stops it.")
    s.add_argument("image", metavar="IMAGE", nargs="?", default=DEFAULT_IMAGE,
                   help=f"image name (default {DEFAULT_IMAGE})")
    s.add_argument("cmdline", metavar="KEY=VALUE", nargs="*",
                   help="command-line options for the image (ip=, gw=, "
                   "log=, ...)")
    s.add_argument("--machine", choices=QEMU_MACHINES + QEMU_ARM_MACHINES,
                   default=None,
                   help="QEMU machine (default "
                   f"{QEMU_DEFAULT_MACHINE} for x86_64 images, virt for "
                   "aarch64 ones)")
    s.add_argument("--net", choices=QEMU_NETS, default=None,
                   help="QEMU networking: user (the default for images that "
                   "serve; SLIRP with port forwards on 127.0.0.1), passt "
                   "(the same through passt), none (no NIC, "
                   "netdev=null); tap is not done yet")
    s.add_argument("--port-offset", type=int, default=QEMU_HOST_PORT_OFFSET,
                   help="host port = application port + this, for the "
                   f"forwards on 127.0.0.1 (default {QEMU_HOST_PORT_OFFSET})")
    s.set_defaults(func=cmd_run)
    s = sub.add_parser("test", help="run test tiers",
                       description="Run test tiers; all of them by default. "
                       "Ends with a line 'N passed, N failed, N skipped'.")
    s.add_argument("tiers", metavar="TIER", nargs="*",
                   help=f"one of: {', '.join(TIERS)}")
    s.add_argument("--fuzz-seconds", type=int, default=None,
                   help="seconds per fuzz harness (default 30, or "
                   "KEEL_FUZZ_SECONDS)")
    s.add_argument("-k", dest="filter", default="",
                   help="run only tests whose name contains this")
    s.set_defaults(func=cmd_test)
    s = sub.add_parser("bench", help="run benchmarks",
                       description="Run benchmark suites; each reports keel "
                       "beside a peer measured in the same run.")
    s.add_argument("suites", metavar="SUITE", nargs="*",
                   help=f"one of: {', '.join(SUITES)}")
    s.add_argument("--runs", type=int, default=None,
                   help="boots per machine for the boot suite (default "
                   "15), alternating rounds for https (default 3)")
    s.set_defaults(func=cmd_bench)
    s = sub.add_parser("size", help="print flash and RAM per module",
                       description="Build an image and print its sections "
                       "per module.")
    s.add_argument("image", metavar="IMAGE")
    s.set_defaults(func=cmd_size)
    s = sub.add_parser("list", help="list images, test tiers and suites",
                       description="List images, test tiers and bench "
                       "suites.")
    s.add_argument("--options", action="store_true",
                   help="list every image-definition option instead")
    s.set_defaults(func=cmd_list)
    return p


DEFAULT_IMAGE = "https"


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    parser = make_parser()
    args, extra = parser.parse_known_args(argv)
    # run IMAGE --net user key=value: argparse leaves key=value tokens
    # after an option unparsed; they belong to the command line.
    if extra and args.command == "run" and \
       all(re.fullmatch(r"[^\s=-][^\s=]*=\S*", t) for t in extra):
        args.cmdline = [*args.cmdline, *extra]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return args.func(args)
    except KeelError as e:
        print(f"keel: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("keel: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
