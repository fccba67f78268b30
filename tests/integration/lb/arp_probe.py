"""Wire-level VIP owner probe for the fl-lb tests: every 10 ms, broadcast an ARP request
for the VIP and record which MACs answer (replies, or gratuitous ARPs announcing the
VIP) within the round. One line per round: "<monotonic ms> <count> <mac,mac...>".

usage: arp_probe.py IFACE OUR_IP VIP OUTFILE STOPFILE   (run inside our namespace)
"""
import os
import select
import socket
import struct
import sys
import time

ifc, our_ip, vip, out, stop = sys.argv[1:6]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind((ifc, 0))
s.setblocking(False)
mac = s.getsockname()[4]
vipb = socket.inet_aton(vip)
req = (b"\xff" * 6 + mac + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac
       + socket.inet_aton(our_ip) + b"\0" * 6 + vipb)
with open(out, "w") as f:
    while not os.path.exists(stop):
        s.send(req)
        end = time.monotonic() + 0.01
        macs = set()
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            if not select.select([s], [], [], left)[0]:
                continue
            while True:
                try:
                    fr = s.recv(128)
                except BlockingIOError:
                    break
                # ARP (request or reply) whose sender protocol address is the VIP, not ours
                if len(fr) >= 42 and fr[12:14] == b"\x08\x06" and fr[28:32] == vipb \
                        and fr[22:28] != mac:
                    macs.add(fr[22:28].hex(":"))
        f.write("%d %d %s\n" % (time.monotonic() * 1000, len(macs), ",".join(sorted(macs))))
        f.flush()
