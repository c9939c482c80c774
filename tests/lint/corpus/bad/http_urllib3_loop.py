"""A urllib3 batch fetcher that skips failures without releasing their connections."""

import urllib3


def fetch_all(urls):
    pool = urllib3.PoolManager()
    bodies = {}
    for url in urls:
        resp = pool.request("GET", url, preload_content=False, retries=False)
        if resp.status >= 400:
            continue  # expect: BUF009
        bodies[url] = resp.read()
    return bodies


def sniff(url, amount):
    pool = urllib3.PoolManager()
    resp = pool.request("GET", url, preload_content=False)  # expect: BUF009
    head = resp.read(amt=amount)
    return head.startswith(b"<!doctype")
