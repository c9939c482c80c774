"""urllib3 unpreloaded responses read in full, or released/drained on every path."""

import urllib3

http = urllib3.PoolManager(num_pools=4)


def fetch_json(url):
    resp = http.request("GET", url, preload_content=False)
    try:
        if resp.status != 200:
            return None
        return resp.read()
    finally:
        resp.release_conn()


def is_png(pool: urllib3.HTTPConnectionPool, path):
    resp = pool.urlopen("GET", path, preload_content=False)
    magic = resp.read(8)
    resp.drain_conn()
    return magic == b"\x89PNG\r\n\x1a\n"


def fetch_all(urls):
    bodies = {}
    for url in urls:
        resp = http.request("GET", url, preload_content=False, retries=False)
        if resp.status >= 400:
            resp.drain_conn()
            continue
        bodies[url] = resp.read()
    return bodies


def preloaded(url):
    resp = http.request("GET", url)
    if resp.status != 200:
        return None
    return resp.data


def streamed(url, sink):
    resp = http.request("GET", url, preload_content=False)
    for chunk in resp.stream(32768):
        sink.write(chunk)
    resp.release_conn()
    return True


def read_exactly(pool: urllib3.HTTPConnectionPool, path, size):
    resp = pool.request("GET", path, preload_content=False)
    body = resp.read(size)
    assert resp.read(5) == b""  # nothing left: the read at the end released the connection
    return body


def read_to_the_end(url):
    resp = http.request("GET", url, preload_content=False)
    data = resp.read(-1)  # a negative amount reads everything, as read() does
    return data
