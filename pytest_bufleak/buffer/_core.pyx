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


cdef inline bint _still_live(_Handle h):
    """After a read: the handle was not released meanwhile (without the GIL, by another thread), else the
    bytes may be the next owner's and the Python path raises. As ``accessors.py`` checks after reading."""
    return <Py_ssize_t>h._cap >= 0


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
                value = _decode(p, size, kind, little)
                if _still_live(h):
                    return value
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
                if _still_live(h):
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


# ---------------------------------------------------------------------------------------------------------
# The pooled allocator's thread-cache fast path (pooled.py): allocate from, and release to, this thread's cache.

import weakref

from cpython.ref cimport PyObject, Py_DECREF
from cpython.weakref cimport PyWeakref_GetRef

from pytest_bufleak.buffer import tracking as _tracking

cdef extern from *:
    """
    /* Pop the last item of a non-empty list without shrinking it: a thread cache's stack is popped and
       pushed in turn, and list.pop() frees the storage of a stack it empties, which the push allocates
       again. (These modules do not declare themselves free-threading compatible, so a free-threaded
       CPython runs them with the GIL; the guard keeps this correct should that change.) */
    static CYTHON_INLINE PyObject *bufleak_pop_keep(PyObject *list) {
    #ifdef Py_GIL_DISABLED
        return PyObject_CallMethod(list, "pop", NULL);
    #else
        Py_ssize_t n = PyList_GET_SIZE(list);
        PyObject *item = PyList_GET_ITEM(list, n - 1);
        Py_SET_SIZE(list, n - 1);
        return item;  /* the list's reference, now the caller's */
    #endif
    }
    """
    object bufleak_pop_keep(list stack)

cdef extern from "Python.h":
    PyObject *PyThreadState_GetDict()
    PyObject *PyDict_GetItemWithError(object d, object key) except? NULL

#: Where a thread keeps its _PoolView: the thread state's dict, which is cleared when the thread ends.
cdef str _VIEW_KEY = "pytest_bufleak.buffer._core.pool_view"
cdef tuple _BUFFER_METHODS = (None, None)  # the compiled heap_buffer, direct_buffer
cdef object _LAST = None  # bytebuf's bottom token: bound by pool_allocate (bytebuf imports this module first)
cdef dict _TRACKING = _tracking.__dict__
cdef object _sample = _tracking.sample


cdef inline bint _refers_to(object ref, object target):
    """True when weak reference ``ref`` (or None) is to ``target``, alive."""
    cdef PyObject *found = NULL
    if ref is None or PyWeakref_GetRef(ref, &found) != 1:
        return False
    Py_DECREF(<object>found)  # identity is all that is asked: target holds its own reference
    return found == <PyObject *>target


cdef class _PoolView:
    """What one thread's fast path reads of the pooled allocator it used last, and of its cache there.

    It lives in the thread state's dict, so it ends with the thread. It holds the allocator and the
    cache weakly (an allocator dropped by its user is not kept alive here) and their lists strongly:
    the lists are made once per cache and only ever changed in place. It is also this thread's leak
    sampling countdown for the compiled path (``tracking`` restarts it with the others).
    """
    cdef object alloc_ref, cache_ref, size_index, release_to_arena
    cdef list small_index, limits
    cdef tuple stacks, allocs, deallocs  # (heap, direct)
    cdef bint inlined[2]
    cdef bint plain  # buffer() may go straight to the kind the allocator prefers: its class keeps ours
    cdef int prefer_direct
    cdef Py_ssize_t last_size, last_idx
    cdef public Py_ssize_t countdown
    cdef object __weakref__

    cdef object cache(self):
        cdef PyObject *found = NULL
        if PyWeakref_GetRef(self.cache_ref, &found) != 1:
            return None
        cache = <object>found
        Py_DECREF(cache)
        return cache


cdef inline _PoolView _view_of(object alloc):
    """The calling thread's view when it is of ``alloc`` and its cache is alive, else None."""
    cdef PyObject *d = PyThreadState_GetDict()
    cdef PyObject *found
    if d is NULL:
        return None
    found = PyDict_GetItemWithError(<object>d, _VIEW_KEY)
    if found is NULL:
        return None
    view = <_PoolView>found
    if not _refers_to(view.alloc_ref, alloc) or view.cache() is None:
        return None
    return view


cdef _PoolView _new_view(object alloc):
    """Make the calling thread's view of ``alloc`` (replacing the one of another allocator)."""
    cdef PyObject *d = PyThreadState_GetDict()
    if d is NULL:
        return None
    cache = alloc._thread_cache()
    view = _PoolView()
    view.alloc_ref = weakref.ref(alloc)
    view.cache_ref = weakref.ref(cache)
    view.size_index = alloc._size_classes.size_index
    view.release_to_arena = cache.release_to_arena
    view.small_index = alloc._small_index
    view.limits = cache.limits
    view.stacks = (cache.heap, cache.direct)
    view.allocs = (cache.heap_allocs, cache.direct_allocs)
    view.deallocs = (cache.heap_deallocs, cache.direct_deallocs)
    view.inlined[0], view.inlined[1] = alloc._inlined
    cls = type(alloc)
    view.plain = (cls.heap_buffer is _BUFFER_METHODS[0] and cls.direct_buffer is _BUFFER_METHODS[1])
    view.prefer_direct = 1 if alloc._prefer_direct else 0
    view.last_size = view.last_idx = -1
    _tracking.register_counter(view)
    (<dict>d)[_VIEW_KEY] = view
    return view


cdef inline Py_ssize_t _size_idx(_PoolView view, Py_ssize_t capacity) except -1:
    """The size class of ``capacity``, as the Python path finds it (the last large one is remembered)."""
    if capacity <= 4096:
        return view.small_index[(capacity + 15) >> 4]
    if capacity != view.last_size:
        view.last_idx = view.size_index(capacity)
        view.last_size = capacity
    return view.last_idx


cdef tuple _BUFFER_CLASSES = ()  # (heap, direct): the pooled buffer classes, bound by install_pool_fast_paths


cdef inline _PoolView _current_view(object alloc):
    """The calling thread's view of ``alloc``, made if it has another one or none (None: no thread state)."""
    view = _view_of(alloc)
    return _new_view(alloc) if view is None else view


cdef inline object _allocate(object alloc, _PoolView view, int kind, object initial_capacity, object max_capacity):
    """A cache hit of ``heap_buffer`` (kind 0) or ``direct_buffer`` (kind 1), or None: take the Python path.

    In C: int capacities in order, an allocator that makes its buffers the pooled way, a region on this
    thread's stack. Then it does what the Python path does on a hit, in the same order.
    """
    cdef _Handle h
    cdef long long capacity, limit
    cdef int overflow = 0, limit_overflow = 0
    cdef Py_ssize_t idx
    cdef list stack, counts
    if type(initial_capacity) is not int or type(max_capacity) is not int:
        return None
    capacity = PyLong_AsLongLongAndOverflow(initial_capacity, &overflow)
    limit = PyLong_AsLongLongAndOverflow(max_capacity, &limit_overflow)
    if overflow or limit_overflow or not 0 <= capacity <= limit or view is None or not view.inlined[kind]:
        return None
    stack = (<list>view.stacks[kind])[_size_idx(view, <Py_ssize_t>capacity)]
    if not stack:
        return None  # a cache miss: the arena
    region = bufleak_pop_keep(stack)
    idx = (<tuple>region)[1]  # not the size class asked: an unpooled region is counted as huge
    counts = view.allocs[kind]
    counts[idx] += 1
    # _Handle.__init__, in C (keep in step with it), then the pooled buffer's region
    buf = _Handle.__new__(_BUFFER_CLASSES[kind])
    h = <_Handle>buf
    h._alloc = alloc
    h._mem = (<tuple>region)[0]
    h._cap = initial_capacity
    h._max_cap = max_capacity
    h._ridx = h._widx = h._mark_r = h._mark_w = 0
    h._big = 0
    h._refs = [_LAST]
    h._freed = False
    h._region = region
    hook = _TRACKING["hook"]
    if hook is not None:
        h._leak = hook(buf)
    else:
        view.countdown -= 1
        if view.countdown <= 0:
            h._leak = _sample(buf, view)
    return buf


cdef inline _deallocate(object self, int kind, object slow):
    cdef _Handle h = <_Handle?>self
    cdef _PoolView view = _view_of(h._alloc)
    cdef list stack, counts
    cdef Py_ssize_t idx
    region = h._region
    if view is None or type(region) is not tuple:
        return slow(self)
    h._region = None
    idx = (<tuple>region)[1]
    counts = view.deallocs[kind]
    counts[idx] += 1
    stack = (<list>view.stacks[kind])[idx]
    if len(stack) < <Py_ssize_t>view.limits[idx]:
        stack.append(region)
    else:
        view.release_to_arena(kind == 1, region)


def install_pool_fast_paths(allocator_class, heap_class, direct_class, deallocate):
    """Give the pooled allocator ``buffer``/``heap_buffer``/``direct_buffer``, and its buffers ``_deallocate``,
    that do a thread-cache hit in C and call the Python methods they replace for everything else."""
    global _LAST, _BUFFER_CLASSES
    from pytest_bufleak.buffer.bytebuf import _LAST
    _BUFFER_CLASSES = (heap_class, direct_class)
    slow_heap, slow_direct, slow_buffer = allocator_class.heap_buffer, allocator_class.direct_buffer, allocator_class.buffer
    initial, maximum = slow_heap.__defaults__

    def heap_buffer(self, initial_capacity=initial, max_capacity=maximum):
        buf = _allocate(self, _current_view(self), 0, initial_capacity, max_capacity)
        return slow_heap(self, initial_capacity, max_capacity) if buf is None else buf

    def direct_buffer(self, initial_capacity=initial, max_capacity=maximum):
        buf = _allocate(self, _current_view(self), 1, initial_capacity, max_capacity)
        return slow_direct(self, initial_capacity, max_capacity) if buf is None else buf

    def buffer(self, initial_capacity=initial, max_capacity=maximum):
        cdef _PoolView view = _current_view(self)
        if view is None or not view.plain:
            return slow_buffer(self, initial_capacity, max_capacity)
        buf = _allocate(self, view, view.prefer_direct, initial_capacity, max_capacity)
        if buf is not None:
            return buf
        return (slow_direct if view.prefer_direct else slow_heap)(self, initial_capacity, max_capacity)

    def heap_deallocate(self):
        _deallocate(self, 0, deallocate)

    def direct_deallocate(self):
        _deallocate(self, 1, deallocate)

    global _BUFFER_METHODS
    _BUFFER_METHODS = (heap_buffer, direct_buffer)
    for owner, made, python in ((allocator_class, heap_buffer, slow_heap),
                                (allocator_class, direct_buffer, slow_direct),
                                (allocator_class, buffer, slow_buffer),
                                (heap_class, heap_deallocate, deallocate),
                                (direct_class, direct_deallocate, deallocate)):
        made.__name__, made.__doc__ = python.__name__, python.__doc__
        made.__qualname__ = f"{owner.__name__}.{python.__name__}"
        setattr(owner, python.__name__, made)
