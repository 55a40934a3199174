"""A real SMTP server for the mail tests: Debian's aiosmtpd on 127.0.0.1, keeping each message.

Usage: python3 aiosmtpd-sink.py PORT FOLDER. Listens on 127.0.0.1:PORT; for each message writes
FOLDER/N.eml (the DATA bytes exactly as received, SMTP dot-stuffing undone) and FOLDER/N.json
(the envelope: MAIL FROM and RCPT TO); prints "ready" once it accepts connections, and runs
until it is terminated.
"""
import asyncio
import json
import os
import signal
import sys

from aiosmtpd.controller import Controller


class Keeper:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.folder, str(self.count))
        with open(base + ".eml.part", "wb") as out:
            out.write(envelope.original_content)
        with open(base + ".json", "w") as out:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, out)
        os.rename(base + ".eml.part", base + ".eml")
        return "250 2.0.0 Ok: kept as " + str(self.count)


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Keeper(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    stop = asyncio.new_event_loop()
    signal.signal(signal.SIGTERM, lambda *_: stop.call_soon_threadsafe(stop.stop))
    try:
        stop.run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
