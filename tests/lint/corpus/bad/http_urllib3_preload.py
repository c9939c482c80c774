"""urllib3 requests made with preload_content=False whose connection is not always released."""

import urllib3

http = urllib3.PoolManager(num_pools=4)


def fetch_json(url):
    resp = http.request("GET", url, preload_content=False)
    if resp.status != 200:
        return None  # expect: BUF009
    data = resp.read()
    resp.release_conn()
    return data


def is_png(pool: urllib3.HTTPConnectionPool, path):
    resp = pool.urlopen("GET", path, preload_content=False)  # expect: BUF009
    magic = resp.read(8)
    return magic == b"\x89PNG\r\n\x1a\n"


def sniff_and_check(pool: urllib3.HTTPConnectionPool, path):
    resp = pool.request("GET", path, preload_content=False)  # expect: BUF009
    magic = resp.read(8)
    assert magic  # a non-empty read says nothing about the rest of the body
    return magic


def peek_nothing(url):
    pool = urllib3.PoolManager()
    resp = pool.request("GET", url, preload_content=False)  # expect: BUF009
    assert resp.read(0) == b""  # reading nothing says nothing about the body
    assert not resp.readable() or resp.status
    return resp.status

