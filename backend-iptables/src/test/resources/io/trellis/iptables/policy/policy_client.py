# Test client for the policy integration test.
#   policy_client.py tcp|udp HOST PORT TIMEOUT   -> prints the server's answer, exit 1 on failure
#   policy_client.py session HOST PORT TIMEOUT   -> one exchange, then one more per stdin line
import socket
import sys

mode, host, port, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
try:
    if mode == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(timeout)
        s.sendto(b"hello\n", (host, port))
        print(s.recvfrom(2048)[0].decode().strip(), flush=True)
    else:
        s = socket.create_connection((host, port), timeout=timeout)
        f = s.makefile("rb")
        s.sendall(b"hello\n")
        print(f.readline().decode().strip(), flush=True)
        if mode == "session":
            for _ in sys.stdin:
                s.sendall(b"again\n")
                line = f.readline().decode().strip()
                print(line if line else "closed", flush=True)
except OSError as e:
    print("FAIL " + str(e), flush=True)
    sys.exit(1)
