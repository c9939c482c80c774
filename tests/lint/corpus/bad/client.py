"""An HTTP client call ported from Spring WebFlux, and a cleanup that hides errors."""

from pytest_bufleak import PooledByteBufAllocator


async def fetch_status(web_client, url):
    response = await web_client.get().uri(url).exchange()  # expect: BUF003
    return response.status_code


def send_all(ctx, chunks):
    alloc = ctx.alloc()
    out = alloc.buffer()
    try:
        for chunk in chunks:
            out.write_bytes(chunk)
        ctx.write_and_flush(out)
    except Exception:
        out.release()  # expect: BUF005
        raise


def scratch_pool():
    pool = PooledByteBufAllocator()
    buf = pool.heap_buffer(64)
    buf.release()
    buf.write_byte(1)  # expect: BUF002
