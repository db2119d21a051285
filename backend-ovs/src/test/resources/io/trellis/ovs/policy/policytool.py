#!/usr/bin/env python3
# Traffic tools of the policy enforcer integration test (python3 standard library only).
#   policytool.py serve NAME IP PORT...        TCP and UDP on each PORT; print "ready" once all listen; answer every
#                                              TCP line / UDP datagram with "NAME PORT"
#   policytool.py tcp IP PORT COUNT TIMEOUT    COUNT new TCP connections one after the other; print each answer,
#                                              "timeout" (no answer to the SYN: dropped), "refused" or "failed: REASON"
#   policytool.py udp IP PORT COUNT TIMEOUT    COUNT datagrams, each from a new socket; answer or "timeout"
#   policytool.py udpsame IP PORT SOCKETS EACH TIMEOUT   SOCKETS sockets, one after the other, each sending EACH
#                                              datagrams from its one source port; print each socket's answers
#                                              joined by "," (an answer or "timeout" each)
#   policytool.py hold IP PORT                 one TCP connection: print "connected", then send each stdin line and
#                                              print the answer ("closed" when the connection ended)
import socket
import socketserver
import sys
import threading


def serve(name, ip, ports):
    class Tcp(socketserver.StreamRequestHandler):
        def handle(self):
            for _ in self.rfile:
                self.wfile.write(("%s %d\n" % (name, self.server.server_address[1])).encode())
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


def tcp(ip, port, count, timeout):
    for _ in range(count):
        try:
            with socket.create_connection((ip, port), timeout=timeout) as s:
                s.sendall(b"hello\n")
                print(s.makefile().readline().strip() or "failed: no answer", flush=True)
        except socket.timeout:
            print("timeout", flush=True)
        except ConnectionRefusedError:
            print("refused", flush=True)
        except OSError as e:
            print("failed: %s" % e, flush=True)


def udp(ip, port, count, timeout):
    for _ in range(count):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(timeout)
            try:
                s.sendto(b"hello", (ip, port))
                print(s.recv(1500).decode(), flush=True)
            except socket.timeout:
                print("timeout", flush=True)
            except OSError as e:
                print("failed: %s" % e, flush=True)


def udp_same(ip, port, sockets, each, timeout):
    for _ in range(sockets):
        answers = []
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(timeout)
            for _ in range(each):
                try:
                    s.sendto(b"hello", (ip, port))
                    answers.append(s.recv(1500).decode())
                except socket.timeout:
                    answers.append("timeout")
        print(",".join(answers), flush=True)


def hold(ip, port):
    with socket.create_connection((ip, port), timeout=2) as s:
        answers = s.makefile()
        print("connected", flush=True)
        for line in sys.stdin:
            try:
                s.sendall(line.encode())
                print(answers.readline().strip() or "closed", flush=True)
            except OSError as e:
                print("failed: %s" % e, flush=True)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "serve":
        serve(sys.argv[2], sys.argv[3], [int(p) for p in sys.argv[4:]])
    elif cmd == "tcp":
        tcp(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    elif cmd == "udp":
        udp(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    elif cmd == "udpsame":
        udp_same(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
    elif cmd == "hold":
        hold(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("unknown command " + cmd)
