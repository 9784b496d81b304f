#!/usr/bin/python3
"""A fault-injecting HL7 receiver on 127.0.0.1, built on Debian's
python3-hl7 MLLP server (hl7.mllp.start_hl7_server) and its ACKs
(Message.create_ack), for tests/test_mllp.c.

usage: hl7_peer.py PORTFILE LOG PORT PLAN

PORT 0 picks a free port; the port is written to PORTFILE once listening.
PLAN is a comma list, one action per message received (counted over every
connection; past its end every message gets AA):
  aa | ca        the right ACK (original or enhanced mode)
  ae | ar        content error / reject, with the right MSA-2
  wrongid        AA for another control id (a late ACK of an earlier message)
  late:S         AA after S seconds (the sender has given up by then)
  missing        no ACK at all
Every message received is logged as "N CONTROLID ACTION" in LOG, and
whole in LOG.msgs (segments one a line, a blank line after each message)."""
import asyncio
import sys

import hl7
import hl7.mllp

portfile, logpath, port, plan = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
actions = [a for a in plan.split(",") if a]
count = 0


def log(line):
    with open(logpath, "a", encoding="utf-8") as f:
        f.write(line + "\n")


async def client(reader, writer):
    global count
    try:
        while True:
            msg = await reader.readmessage()
            ctl = str(msg.segment("MSH")[10])
            action = actions[count] if count < len(actions) else "aa"
            count += 1
            log(f"{count} {ctl} {action}")
            with open(logpath + ".msgs", "a", encoding="utf-8") as f:
                f.write(str(msg).replace("\r", "\n").rstrip("\n") + "\n\n")
            if action == "missing":
                continue
            if action.startswith("late:"):
                await asyncio.sleep(float(action[5:]))
                action = "aa"
            if action == "wrongid":
                ack = msg.create_ack("AA")
                ack.segment("MSA")[2] = "X" + ctl
            else:
                ack = msg.create_ack(action.upper())
            writer.writemessage(ack)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await hl7.mllp.start_hl7_server(client, "127.0.0.1", port, encoding="utf-8")
    bound = server.sockets[0].getsockname()[1]
    with open(portfile + ".tmp", "w") as f:
        f.write(str(bound))
    import os
    os.rename(portfile + ".tmp", portfile)
    async with server:
        await server.serve_forever()


asyncio.run(main())
