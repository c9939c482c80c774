"""Plain classes with release() and close() methods that have nothing to do with buffers."""

from pytest_bufleak import Unpooled


class Lease:
    """A lease on a pooled connection: release() gives it back, twice is harmless."""

    def __init__(self, pool, conn):
        self.pool = pool
        self.conn = conn
        self.released = False

    def release(self):
        if not self.released:
            self.released = True
            self.pool.give_back(self.conn)

    def close(self):
        self.release()


def run_query(pool, sql: str):
    lease = pool.lease()
    rows = lease.conn.execute(sql)
    lease.release()
    lease.release()
    return rows


def press_and_release(keyboard, key):
    keyboard.press(key)
    keyboard.release(key)


def finish(job, token):
    try:
        job.run()
    finally:
        token.release()
        job.close()


def encode_ok():
    return Unpooled.copied_buffer(b"+OK\r\n")
