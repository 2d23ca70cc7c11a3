# SPDX-License-Identifier: GPL-2.0-or-later
"""io_uring_connect.py ADDR PORT: a python3 that connects a TCP socket to
ADDR:PORT through an io_uring (IORING_OP_CONNECT), with raw syscalls
through ctypes: what a script that wants no connect syscall seen would do.
Prints "connect res=N". Tests run it in an empty network namespace, where
the connect fails at once and nothing leaves the machine."""
import ctypes
import mmap
import socket
import struct
import sys

NR_IO_URING_SETUP, NR_IO_URING_ENTER = 425, 426
IORING_OP_CONNECT = 16
IORING_ENTER_GETEVENTS = 1
IORING_OFF_SQ_RING, IORING_OFF_CQ_RING, IORING_OFF_SQES = 0, 0x8000000, 0x10000000

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def check(ret, what):
    if ret < 0:
        raise OSError(ctypes.get_errno(), what)
    return ret


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    # struct io_uring_params: 120 bytes; sq_off at 40, cq_off at 80.
    params = ctypes.create_string_buffer(120)
    fd = check(libc.syscall(NR_IO_URING_SETUP, 4, params), "io_uring_setup")
    sq_entries, cq_entries = struct.unpack_from("II", params, 0)
    sq_head, sq_tail, sq_mask, _, _, _, sq_array = struct.unpack_from("7I", params, 40)
    cq_head, cq_tail, cq_mask, _, _, cqes = struct.unpack_from("6I", params, 80)
    sq = mmap.mmap(fd, sq_array + 4 * sq_entries, offset=IORING_OFF_SQ_RING)
    cq = mmap.mmap(fd, cqes + 16 * cq_entries, offset=IORING_OFF_CQ_RING)
    sqes = mmap.mmap(fd, 64 * sq_entries, offset=IORING_OFF_SQES)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sockaddr = ctypes.create_string_buffer(
        struct.pack("!HH4s8x", socket.AF_INET, port, socket.inet_aton(addr)), 16)
    struct.pack_into("<H", sockaddr, 0, socket.AF_INET)  # sin_family is host order
    # struct io_uring_sqe: opcode, flags, ioprio, fd, off (addr2: addrlen), addr.
    tail = struct.unpack_from("I", sq, sq_tail)[0]
    index = tail & struct.unpack_from("I", sq, sq_mask)[0]
    sqe = struct.pack("<BBHiQQ", IORING_OP_CONNECT, 0, 0, sock.fileno(), 16, ctypes.addressof(sockaddr))
    sqes[64 * index:64 * index + 64] = sqe.ljust(64, b"\0")
    struct.pack_into("I", sq, sq_array + 4 * index, index)
    struct.pack_into("I", sq, sq_tail, tail + 1)
    check(libc.syscall(NR_IO_URING_ENTER, fd, 1, 1, IORING_ENTER_GETEVENTS, None, 0), "io_uring_enter")
    head = struct.unpack_from("I", cq, cq_head)[0]
    index = head & struct.unpack_from("I", cq, cq_mask)[0]
    res = struct.unpack_from("<Qi", cq, cqes + 16 * index)[1]
    struct.pack_into("I", cq, cq_head, head + 1)
    print("connect res=%d" % res)


main()
