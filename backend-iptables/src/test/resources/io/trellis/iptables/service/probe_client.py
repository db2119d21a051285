# Test client: COUNT attempts to IP:PORT over tcp or udp (a new socket each time; with a source
# port, UDP datagrams all leave from that port). One line per attempt:
# "OK <endpoint name> <address the endpoint saw>", "ERR refused", "ERR timeout" or "ERR <text>".
import socket
import sys

mode, ip, port, count, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
source_port = int(sys.argv[6]) if len(sys.argv) > 6 else 0
for _ in range(count):
    try:
        if mode == "tcp":
            s = socket.socket()
            s.settimeout(timeout)
            s.connect((ip, port))
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(256)
                if not chunk:
                    break
                data += chunk
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", source_port))
            s.settimeout(timeout)
            s.connect((ip, port))
            s.send(b"hello")
            data = s.recv(256)
        s.close()
        print("OK " + data.decode().strip(), flush=True)
    except ConnectionRefusedError:
        print("ERR refused", flush=True)
    except socket.timeout:
        print("ERR timeout", flush=True)
    except OSError as e:
        print("ERR " + str(e).replace(" ", "_"), flush=True)
    finally:
        try:
            s.close()
        except Exception:
            pass
