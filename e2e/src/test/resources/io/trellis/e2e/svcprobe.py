#!/usr/bin/env python3
# TCP probe for ServiceProxyIT (python3 standard library only).
#   svcprobe.py serve NAME IP PORT      answer every connection's first line with NAME; print "ready" once listening
#   svcprobe.py connect IP PORT COUNT   COUNT new connections one after the other, each sending one line; print
#                                       each answer, or "failed: REASON" (1 s timeout)
import socket
import socketserver
import sys


def serve(name, ip, port):
    class Answer(socketserver.StreamRequestHandler):
        def handle(self):
            self.rfile.readline()
            self.wfile.write((name + "\n").encode())

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    with Server((ip, port), Answer) as server:
        print("ready", flush=True)
        server.serve_forever()


def connect(ip, port, count):
    for _ in range(count):
        try:
            with socket.create_connection((ip, port), timeout=1) as s:
                s.sendall(b"hello\n")
                print(s.makefile().readline().strip() or "failed: no answer", flush=True)
        except OSError as e:
            print("failed: %s" % e, flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "connect":
        connect(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit("unknown command " + sys.argv[1])
