#!/usr/bin/env python3
# Service traffic tools for the service proxy integration test (python3 standard library only).
#   svctool.py serve NAME IP PORT...    TCP and UDP on each PORT; print "ready" once all listen. TCP: answer
#                                        every line received with "NAME PORT"; UDP: answer every datagram so
#   svctool.py connect IP PORT COUNT    COUNT new TCP connections, one after the other, each sending one line;
#                                        print each answer, or "failed: REASON" (1 s timeout)
#   svctool.py who IP PORT COUNT        like connect, but each answer is "NAME PORT CLIENT-IP" (the source address
#                                        the server saw)
#   svctool.py udp IP PORT COUNT        COUNT datagrams, each from a new socket (a new source port); print each
#                                        answer or "failed: REASON"
#   svctool.py udpc IP PORT COUNT       like udp, but each socket connect()s first, so an ICMP port unreachable
#                                        shows: print the answer, "refused" (ConnectionRefusedError) or "failed: REASON"
#   svctool.py hold IP PORT             one TCP connection kept open: print "connected", then for every line
#                                        on stdin send it and print the answer; exit at end of stdin
#   svctool.py rst SRC SPORT DST DPORT SEQ   one raw TCP RST (sequence number SEQ, checksum computed) from
#                                        SRC:SPORT to DST:DPORT, as a client's kernel sends to an unacceptable ACK
import socket
import struct
import socketserver
import sys
import threading


def serve(name, ip, ports):
    class Tcp(socketserver.StreamRequestHandler):
        def handle(self):
            port = self.server.server_address[1]
            for line in self.rfile:
                if line.strip() == b"who":   # "who" asks for the client's address as this server sees it
                    self.wfile.write(("%s %d %s\n" % (name, port, self.client_address[0])).encode())
                else:
                    self.wfile.write(("%s %d\n" % (name, port)).encode())
                self.wfile.flush()

    class Udp(socketserver.BaseRequestHandler):
        def handle(self):
            data, sock = self.request
            sock.sendto(("%s %d" % (name, self.server.server_address[1])).encode(), self.client_address)

    class TcpServer(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    servers = []
    for port in ports:
        servers.append(TcpServer((ip, port), Tcp))
        servers.append(socketserver.UDPServer((ip, port), Udp))
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()


def connect(ip, port, count, request=b"hello\n"):
    for _ in range(count):
        try:
            with socket.create_connection((ip, port), timeout=1) as s:
                s.sendall(request)
                print(s.makefile().readline().strip() or "failed: no answer", flush=True)
        except OSError as e:
            print("failed: %s" % e, flush=True)


def udp(ip, port, count):
    for _ in range(count):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(1)
            try:
                s.sendto(b"hello", (ip, port))
                print(s.recv(1500).decode(), flush=True)
            except OSError as e:
                print("failed: %s" % e, flush=True)


def udp_connected(ip, port, count):
    for _ in range(count):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(1)
            try:
                s.connect((ip, port))
                s.send(b"hello")
                print(s.recv(1500).decode(), flush=True)
            except ConnectionRefusedError:
                print("refused", flush=True)
            except OSError as e:
                print("failed: %s" % e, flush=True)


def udp_from(ip, port, count, source_port):
    """Like udp, every datagram from the same source port: one conntrack entry throughout."""
    for _ in range(count):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", source_port))
            s.settimeout(1)
            try:
                s.sendto(b"hello", (ip, port))
                print(s.recv(1500).decode(), flush=True)
            except OSError as e:
                print("failed: %s" % e, flush=True)


def hold(ip, port):
    with socket.create_connection((ip, port), timeout=2) as s:
        answers = s.makefile()
        print("connected", flush=True)
        for line in sys.stdin:
            s.sendall(line.encode())
            print(answers.readline().strip() or "failed: connection closed", flush=True)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def rst(src, sport, dst, dport, seq):
    segment = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x04, 0, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(segment))
    segment = segment[:16] + struct.pack("!H", checksum(pseudo + segment)) + segment[18:]
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP) as s:
        s.sendto(segment, (dst, 0))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "serve":
        serve(sys.argv[2], sys.argv[3], [int(p) for p in sys.argv[4:]])
    elif cmd == "connect":
        connect(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "who":
        connect(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), b"who\n")
    elif cmd == "udp":
        udp(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "udpc":
        udp_connected(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "udpfrom":
        udp_from(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "hold":
        hold(sys.argv[2], int(sys.argv[3]))
    elif cmd == "rst":
        rst(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    else:
        sys.exit("unknown command " + cmd)
