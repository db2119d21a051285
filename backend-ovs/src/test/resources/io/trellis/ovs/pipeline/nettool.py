#!/usr/bin/env python3
# Traffic tools for the pipeline integration tests (python3 standard library only).
# Raw Ethernet frames through an AF_PACKET socket (needs root):
#   nettool.py send IFACE HEX...         send each hex-encoded frame as is
#   nettool.py sniff IFACE SECONDS       print "ready", then the name of every TRELLIS:<NAME>; marker
#                                        seen in a received frame, one per line; exit 1 s after the
#                                        END marker, or after SECONDS printing "timeout"
# TCP (no name lookups, unlike python3 -m http.server, whose reverse lookup of the bind address
# stalls in a namespace without DNS):
#   nettool.py serve IP PORT TEXT        listen, print "ready", send each connection TEXT, a newline
#                                        and 64 KiB of filler (full-size segments), then close
#   nettool.py connect IP PORT SECONDS   print the first line the server sent and " bytes=N", the total
import re
import socket
import sys
import time

ETH_P_ALL = 0x0003
MARKER = re.compile(rb"TRELLIS:([A-Z0-9-]+);")


def send(iface, frames):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for frame in frames:
        s.send(bytes.fromhex(frame))


def sniff(iface, seconds):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    deadline = time.monotonic() + seconds
    ended = False
    print("ready", flush=True)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            if not ended:
                print("timeout", flush=True)
            return
        s.settimeout(left)
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        for name in MARKER.findall(data):
            print(name.decode(), flush=True)
            if name == b"END":
                ended = True
                # Frames on different datapath flows may overtake each other: keep listening a
                # little so one sent before END but delivered after it is still seen.
                deadline = min(deadline, time.monotonic() + 1.0)


def serve(ip, port, text):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, port))
    s.listen(16)
    print("ready", flush=True)
    while True:
        conn, _ = s.accept()
        with conn:
            conn.sendall(text.encode() + b"\n" + b"x" * 65536)


def connect(ip, port, seconds):
    with socket.create_connection((ip, port), timeout=seconds) as s:
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    print(data.split(b"\n", 1)[0].decode() + " bytes=" + str(len(data)), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "sniff":
        sniff(sys.argv[2], float(sys.argv[3]))
    elif sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "connect":
        connect(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit("unknown command " + sys.argv[1])
