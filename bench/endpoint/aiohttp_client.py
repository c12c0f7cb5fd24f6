"""The kind of client other evaluation harnesses use: asyncio + aiohttp, a fixed number of
workers, JSON request bodies built per request and replies decoded with resp.json().

Usage: aiohttp_client.py URL --requests N --concurrency C
Prints one line: RESULT rps=<requests per second>
"""
import argparse
import asyncio
import time

import aiohttp


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--concurrency", type=int, default=256)
    args = ap.parse_args()

    counter = iter(range(args.requests))
    answers = 0
    connector = aiohttp.TCPConnector(limit=args.concurrency)

    async def worker(session):
        nonlocal answers
        for i in counter:
            payload = {
                "model": "canned",
                "messages": [{"role": "user", "content": f"Solve the problem. Put the final answer in \\boxed{{}}.\n\nCompute ${i} + {i * 7 % 100}$."}],
                "temperature": 0.8, "top_p": 1.0, "max_tokens": 256, "seed": i,
            }
            async with session.post(args.url, json=payload) as resp:
                data = await resp.json(content_type=None)
            if data["choices"][0]["message"]["content"]:
                answers += 1

    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(args.concurrency)))
        elapsed = time.perf_counter() - start
    assert answers == args.requests, (answers, args.requests)
    print(f"aiohttp client: {args.requests} requests at {args.concurrency} in flight: {args.requests / elapsed:.0f} requests/s")
    print(f"RESULT rps={args.requests / elapsed:.0f}")


asyncio.run(main())
