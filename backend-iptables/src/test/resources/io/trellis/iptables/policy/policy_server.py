# Test server for the policy integration test: answers every TCP line and UDP datagram with its name.
# Usage: policy_server.py NAME TCPPORT[,TCPPORT...] UDPPORT[,UDPPORT...]
import socket
import sys
import threading

name = sys.argv[1].encode()


def serve_conn(conn):
    with conn:
        f = conn.makefile("rb")
        for _ in f:
            conn.sendall(name + b"\n")


def tcp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(64)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve_conn, args=(conn,), daemon=True).start()


def udp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    while True:
        _, peer = s.recvfrom(2048)
        s.sendto(name + b"\n", peer)


threads = [threading.Thread(target=tcp, args=(int(p),), daemon=True) for p in sys.argv[2].split(",")]
threads += [threading.Thread(target=udp, args=(int(p),), daemon=True) for p in sys.argv[3].split(",")]
for t in threads:
    t.start()
print("ready", flush=True)
for t in threads:
    t.join()
