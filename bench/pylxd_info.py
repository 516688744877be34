"""Times pylxd's image read in its own loop: the peer baseline of `npm run bench`.

argv: <fingerprint> <iterations>; the socket comes from LXD_DIR (pylxd's own rule).
Prints the per-call times in milliseconds as a JSON list.
"""
import json
import sys
import time

from pylxd import Client


def main() -> None:
    fingerprint, iterations = sys.argv[1], int(sys.argv[2])
    client = Client()
    client.images.get(fingerprint)  # warm up: connection and first request
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        client.images.get(fingerprint)
        samples.append((time.perf_counter() - started) * 1000)
    print(json.dumps(samples))


if __name__ == "__main__":
    main()
