# cython: language_level=3, binding=True, embedsignature=True
"""The compiled core's own fast paths, where compiling the Python sources as they are does not reach C speed.

Part of the optional compiled core only: there is no pure-Python twin, and none is needed, because the Python
modules stay the reference. Each fast path here does the common case in C and hands every other call,
unchanged, to the Python function it speeds up.

- Typed accessors (``write_int``, ``read_long_le``, ``get_double`` ...) for ``accessors.py``. The C case: a
  plain ``int``/``float`` value that fits, an ``int`` index in bounds, writable memory, no growth; the Python
  method converts, grows or raises. Bytes are coded as ``struct`` codes them (``PyFloat_Pack4`` for floats).
"""
from pytest_bufleak.buffer.bytebuf cimport _Handle

cdef extern from *:
    """
    #if PY_VERSION_HEX < 0x030B0000
    #define bufleak_pack4(x, p, le) _PyFloat_Pack4((x), (unsigned char *)(p), (le))
    #define bufleak_pack8(x, p, le) _PyFloat_Pack8((x), (unsigned char *)(p), (le))
    #define bufleak_unpack4(p, le) _PyFloat_Unpack4((const unsigned char *)(p), (le))
    #define bufleak_unpack8(p, le) _PyFloat_Unpack8((const unsigned char *)(p), (le))
    #else
    #define bufleak_pack4(x, p, le) PyFloat_Pack4((x), (char *)(p), (le))
    #define bufleak_pack8(x, p, le) PyFloat_Pack8((x), (char *)(p), (le))
    #define bufleak_unpack4(p, le) PyFloat_Unpack4((const char *)(p), (le))
    #define bufleak_unpack8(p, le) PyFloat_Unpack8((const char *)(p), (le))
    #endif
    """
    int bufleak_pack4(double x, unsigned char *p, int le)
    int bufleak_pack8(double x, unsigned char *p, int le)
    double bufleak_unpack4(const unsigned char *p, int le) except? -1.0
    double bufleak_unpack8(const unsigned char *p, int le) except? -1.0

cdef extern from "Python.h":
    Py_buffer *PyMemoryView_GET_BUFFER(object view)
    bint PyMemoryView_Check(object o)
    long long PyLong_AsLongLongAndOverflow(object o, int *overflow) except? -1
    double PyFloat_AS_DOUBLE(object o)

#: What a type codes as: an integer (signed or not), a float32, a float64.
cdef enum Kind:
    SIGNED, UNSIGNED, FLOAT

cdef double _FLOAT32_MAX = 3.4028234663852886e+38


cdef inline unsigned char *_span(_Handle h, Py_ssize_t index, Py_ssize_t size, bint writing):
    """The memory of ``h`` at ``index`` when ``size`` bytes fit there (and it is writable if ``writing``), else NULL."""
    cdef object mem = h._mem
    cdef Py_buffer *view
    if not PyMemoryView_Check(mem):  # not a plain memory: a scattered buffer's snapshot, say
        return NULL
    view = PyMemoryView_GET_BUFFER(mem)
    if index + size > view.len or (writing and view.readonly):
        return NULL
    return <unsigned char *>view.buf + index


cdef inline bint _int_index(object index, Py_ssize_t size, _Handle h, Py_ssize_t *out):
    """True, with ``out`` set, when ``index`` is an ``int`` with ``0 <= index <= capacity - size``."""
    cdef int overflow = 0
    cdef long long i
    if type(index) is not int:
        return False
    i = PyLong_AsLongLongAndOverflow(index, &overflow)
    if overflow or i < 0 or i > <long long>h._cap - size:
        return False
    out[0] = <Py_ssize_t>i
    return True


cdef inline object _decode(const unsigned char *p, Py_ssize_t size, Kind kind, bint little):
    cdef unsigned long long v = 0
    cdef Py_ssize_t i
    if kind == FLOAT:
        return bufleak_unpack4(p, little) if size == 4 else bufleak_unpack8(p, little)
    if little:
        for i in range(size - 1, -1, -1):
            v = (v << 8) | p[i]
    else:
        for i in range(size):
            v = (v << 8) | p[i]
    if kind == UNSIGNED:
        return v
    if size < 8 and v >> (8 * size - 1):
        return <long long>v - (<long long>1 << (8 * size))
    return <long long>v


cdef inline bint _encode(unsigned char *p, object value, Py_ssize_t size, Kind kind, bint little) except -1:
    """Code ``value`` at ``p``: False (nothing written) when it is not a value the fast path takes."""
    cdef int overflow = 0
    cdef long long v
    cdef unsigned long long bits
    cdef double d
    cdef Py_ssize_t i
    if kind == FLOAT:
        if type(value) is not float:
            return False
        d = PyFloat_AS_DOUBLE(value)
        if size == 4:
            if not -_FLOAT32_MAX <= d <= _FLOAT32_MAX:  # NaN, and what struct would refuse or round
                return False
            bufleak_pack4(d, p, little)
        else:
            if d != d:
                return False
            bufleak_pack8(d, p, little)
        return True
    if type(value) is not int:
        return False
    v = PyLong_AsLongLongAndOverflow(value, &overflow)
    # What accessors.py takes as it is or narrows: INT32 for the types up to 4 bytes, INT64 for a long
    # (its unsigned upper half overflows a long long and takes the pure-Python path).
    if overflow or (size <= 4 and not -2147483648 <= v <= 4294967295):
        return False
    bits = <unsigned long long>v
    if little:
        for i in range(size):
            p[i] = <unsigned char>(bits >> (8 * i))
    else:
        for i in range(size):
            p[size - 1 - i] = <unsigned char>(bits >> (8 * i))
    return True


def accessors(Py_ssize_t size, int kind_code, bint little, slow_get, slow_read, slow_set, slow_write):
    """The compiled ``get``, ``read``, ``set`` and ``write`` of one type and byte order.

    ``kind_code``: 0 signed integer, 1 unsigned integer, 2 float; the ``slow_*`` functions are the
    pure-Python methods, called (with the same arguments) for everything the fast path does not take.
    """
    cdef Kind kind = <Kind>kind_code
    if kind_code not in (0, 1, 2) or size not in (1, 2, 3, 4, 8) or (kind == FLOAT and size not in (4, 8)):
        raise ValueError(f"no compiled accessor codes {size} bytes of kind {kind_code}")

    def get(self, index):
        cdef _Handle h = <_Handle?>self
        cdef Py_ssize_t i
        cdef unsigned char *p
        if _int_index(index, size, h, &i):
            p = _span(h, i, size, False)
            if p is not NULL:
                return _decode(p, size, kind, little)
        return slow_get(self, index)

    def read(self):
        cdef _Handle h = <_Handle?>self
        cdef Py_ssize_t r = h._ridx
        cdef unsigned char *p
        cdef object value
        if r + size <= <Py_ssize_t>h._widx:
            p = _span(h, r, size, False)
            if p is not NULL:
                value = _decode(p, size, kind, little)
                h._ridx = r + size
                return value
        return slow_read(self)

    def set_(self, index, value):
        cdef _Handle h = <_Handle?>self
        cdef Py_ssize_t i
        cdef unsigned char *p
        if _int_index(index, size, h, &i):
            p = _span(h, i, size, True)
            if p is not NULL and _encode(p, value, size, kind, little):
                return self
        return slow_set(self, index, value)

    def write(self, value):
        cdef _Handle h = <_Handle?>self
        cdef Py_ssize_t w = h._widx
        cdef unsigned char *p
        if w + size <= <Py_ssize_t>h._cap:
            p = _span(h, w, size, True)
            if p is not NULL and _encode(p, value, size, kind, little):
                h._widx = w + size
                return self
        return slow_write(self, value)

    return {"get": get, "read": read, "set": set_, "write": write}
