# Test endpoint: answers every TCP connection on 8080 and every UDP datagram on 5353 with
# "<name> <peer address>" (the peer shows whether the proxy masqueraded the client).
import socket
import sys
import threading

name = sys.argv[1]


def udp():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("0.0.0.0", 5353))
    while True:
        data, peer = u.recvfrom(2048)
        u.sendto(("%s %s\n" % (name, peer[0])).encode(), peer)


threading.Thread(target=udp, daemon=True).start()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8080))
s.listen(256)
print("ready", flush=True)
while True:
    c, peer = s.accept()
    try:
        c.sendall(("%s %s\n" % (name, peer[0])).encode())
    finally:
        c.close()
