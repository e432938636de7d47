"""An SMTP server on loopback that accepts and counts every message, then forgets it."""

import argparse
import asyncio

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=int, default=3600, help="stop after this long")
    args = parser.parse_args()
    controller = Controller(Sink(), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.run(asyncio.sleep(args.seconds))
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
