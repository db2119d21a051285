import socket, os, sys, struct
# Minimal fake OpenFlow switch: records every message ovs-ofctl sends (hex, one per line).
path, version, out = sys.argv[1], int(sys.argv[2], 0), sys.argv[3]
if os.path.exists(path): os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(path); s.listen(5)
def recvn(c, n):
    b = b''
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d: return None
        b += d
    return b
while True:
    c, _ = s.accept()
    c.sendall(struct.pack('!BBHI', version, 0, 8, 1))
    with open(out, 'a') as f:
        while True:
            h = recvn(c, 8)
            if h is None: break
            v, t, l, xid = struct.unpack('!BBHI', h)
            body = recvn(c, l - 8) or b''
            msg = h + body
            f.write(msg.hex() + '\n'); f.flush()
            if t == 2: c.sendall(struct.pack('!BBHI', v, 3, l, xid) + body)
            elif t == 20: c.sendall(struct.pack('!BBHI', v, 21, 8, xid))
            elif t == 18: c.sendall(struct.pack('!BBHIHH', v, 1, 12 + len(msg), xid, 1, 2) + msg)
            elif t == 5: c.sendall(struct.pack('!BBHIQIBBHII', v, 6, 32, xid, 1, 0, 254, 0, 0, 0, 0))
    c.close()
