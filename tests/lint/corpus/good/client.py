"""Client code: retrieve() instead of exchange(), buffers handed to the pipeline."""


async def fetch_body(web_client, url):
    return await web_client.get().uri(url).retrieve().body_to_mono(str)


def exchange_rate(rates, a, b):
    return rates.exchange(a, b)


def send(ctx, data: bytes):
    buf = ctx.alloc().buffer(len(data))
    buf.write_bytes(data)
    ctx.write_and_flush(buf)


def send_many(ctx, items):
    for item in items:
        buf = ctx.alloc().buffer()
        buf.write_bytes(item)
        ctx.write(buf)
    ctx.flush()


def make_pair(alloc):
    first = alloc.buffer()
    second = alloc.buffer()
    return first, second
