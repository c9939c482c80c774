# cython: language_level=3, binding=True, embedsignature=True
"""The compiled core's own fast paths, where compiling the Python sources as they are does not reach C speed.

Part of the optional compiled core only: there is no pure-Python twin, and none is needed, because the Python
modules stay the reference. Each fast path here does the common case in C and hands every other call,
unchanged, to the Python function it speeds up.

- Typed accessors (``write_int``, ``read_long_le``, ``get_double`` ...) for ``accessors.py``. The C case: a
  plain ``int``/``float`` value that fits, an ``int`` index in bounds, writable memory, no growth; the Python
  method converts, grows or raises. Bytes are coded as ``struct`` codes them (``PyFloat_Pack4`` for floats).
- The pooled allocator's thread-cache hit (``buffer``/``heap_buffer``/``direct_buffer`` and the pooled buffers'
  ``_deallocate``) for ``pooled.py``. The C case: int capacities in order, an allocator that makes the kind
  the pooled way, a region on (or room on) this thread's stack; the Python methods do everything else.
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
    ctypedef struct PyMemoryViewObject:
        int flags
    int _Py_MEMORYVIEW_RELEASED

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
    if (<PyMemoryViewObject *>mem).flags & _Py_MEMORYVIEW_RELEASED:  # the Python path raises on it
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
    PyObject **_PyObject_GetDictPtr(object o)
    PyObject *_PyType_Lookup(type t, object name)
    PyObject *PyThreadState_GetDict()
    PyObject *PyDict_GetItemWithError(object d, object key) except? NULL

cdef str _POOLS_KEY = "pytest_bufleak.buffer._core.thread_pools"
cdef object _LAST = None  # bytebuf's bottom token, bound by install_pool_fast_paths (bytebuf imports this module)
cdef tuple _BUFFER_CLASSES = ()  # (heap, direct): the pooled buffer classes, bound by install_pool_fast_paths
cdef dict _TRACKING = _tracking.__dict__
cdef object _sample = _tracking.sample
#: How many allocators a thread keeps bindings of before it drops those of dead ones.
cdef Py_ssize_t _PRUNE_AT = 8


cdef inline object _alive(object ref):
    """What weak reference ``ref`` refers to, or None (the reference is dropped at once: the caller's
    own references keep the object alive while it is used)."""
    cdef PyObject *found = NULL
    if PyWeakref_GetRef(ref, &found) != 1:
        return None
    target = <object>found
    Py_DECREF(target)
    return target


cdef class _PoolBinding:
    """One pooled allocator as this thread's fast path sees it, and the thread's cache there.

    Allocator and cache are held weakly: an allocator its user dropped is collected, its cache with it, and
    a binding whose allocator or cache is gone is never used. The cache's lists are held strongly: they are
    made once per cache and only ever changed in place (a dying cache empties them).
    """
    cdef object alloc_ref, cache_ref, size_index, release_to_arena
    cdef list small_index, limits
    cdef tuple stacks, allocs, deallocs  # (heap, direct)
    cdef bint inlined[2]
    cdef Py_ssize_t last_size, last_idx

    cdef inline bint serves(self, object alloc):
        return _alive(self.alloc_ref) is alloc and _alive(self.cache_ref) is not None


cdef class _ThreadPools:
    """This thread's state for the compiled pool path: its bindings, and its leak-sampling countdown.

    Kept in the thread state's dict, so it ends with its thread; registered once as a countdown, which
    ``tracking`` restarts with the others.
    """
    cdef _PoolBinding last
    cdef dict bindings  # id(allocator) -> _PoolBinding
    cdef public Py_ssize_t countdown
    cdef object __weakref__


cdef inline _ThreadPools _thread_pools(bint create):
    """The calling thread's state (made if ``create``), or None."""
    cdef PyObject *d = PyThreadState_GetDict()
    cdef PyObject *found
    if d is NULL:
        return None
    found = PyDict_GetItemWithError(<object>d, _POOLS_KEY)
    if found is not NULL:
        return <_ThreadPools>found
    if not create:
        return None
    pools = _ThreadPools()
    pools.bindings = {}
    _tracking.register_counter(pools)
    (<dict>d)[_POOLS_KEY] = pools
    return pools


cdef inline _PoolBinding _binding_of(_ThreadPools pools, object alloc):
    """This thread's live binding of ``alloc``, or None."""
    cdef _PoolBinding binding = pools.last
    if binding is not None and binding.serves(alloc):
        return binding
    found = pools.bindings.get(id(alloc))
    if found is not None and (<_PoolBinding>found).serves(alloc):
        pools.last = <_PoolBinding>found
        return <_PoolBinding>found
    return None


cdef _PoolBinding _bind(_ThreadPools pools, object alloc, int kind):
    """Bind ``alloc`` for this thread (its cache is made if it has none, as the Python path makes it), or
    None when ``alloc`` makes this kind of buffer its own way (the Python path then makes no cache)."""
    inlined = alloc._inlined
    if not inlined[kind]:
        return None
    cache = alloc._thread_cache()
    binding = _PoolBinding()
    binding.alloc_ref = weakref.ref(alloc)
    binding.cache_ref = weakref.ref(cache)
    binding.size_index = alloc._size_classes.size_index
    binding.release_to_arena = type(cache).release_to_arena  # the function: a bound method would hold the cache
    binding.small_index = alloc._small_index
    binding.limits = cache.limits
    binding.stacks = (cache.heap, cache.direct)
    binding.allocs = (cache.heap_allocs, cache.direct_allocs)
    binding.deallocs = (cache.heap_deallocs, cache.direct_deallocs)
    binding.inlined[0], binding.inlined[1] = inlined
    binding.last_size = binding.last_idx = -1
    if len(pools.bindings) >= _PRUNE_AT:
        for key, other in list(pools.bindings.items()):
            if _alive((<_PoolBinding>other).alloc_ref) is None or _alive((<_PoolBinding>other).cache_ref) is None:
                del pools.bindings[key]
    pools.bindings[id(alloc)] = binding
    pools.last = binding
    return binding


cdef inline Py_ssize_t _size_idx(_PoolBinding binding, Py_ssize_t capacity) except -1:
    """The size class of ``capacity``, as the Python path finds it (the last large one is remembered)."""
    if capacity <= 4096:
        return binding.small_index[(capacity + 15) >> 4]
    if capacity != binding.last_size:
        binding.last_idx = binding.size_index(capacity)
        binding.last_size = capacity
    return binding.last_idx


cdef inline int _preferred_kind(object alloc, object heap_buffer, object direct_buffer) except -2:
    """The kind ``alloc.buffer()`` makes (0 heap, 1 direct) when the method it would call is this module's own
    ``heap_buffer``/``direct_buffer``; -1 when it is another (or the answer needs Python's attribute lookup).

    Read the way attribute lookup finds them, without making a bound method: ``_prefer_direct`` in the
    instance's dict (no descriptor on the class), the method on the class and not in the instance's dict.
    """
    cdef PyObject **slot = _PyObject_GetDictPtr(alloc)
    cdef PyObject *prefer
    cdef int kind
    if slot is NULL or slot[0] is NULL or _PyType_Lookup(type(alloc), "_prefer_direct") is not NULL:
        return -1
    prefer = PyDict_GetItemWithError(<object>slot[0], "_prefer_direct")
    if prefer is NULL:
        return -1
    kind = 1 if <object>prefer else 0
    name = "direct_buffer" if kind else "heap_buffer"
    if (PyDict_GetItemWithError(<object>slot[0], name) is not NULL
            or _PyType_Lookup(type(alloc), name) != <PyObject *>(direct_buffer if kind else heap_buffer)):
        return -1
    return kind


cdef inline object _allocate(object alloc, int kind, object initial_capacity, object max_capacity):
    """A cache hit of ``heap_buffer`` (kind 0) or ``direct_buffer`` (kind 1), or None: take the Python path.

    In C: int capacities in order, an allocator that makes this kind the pooled way, a region on this
    thread's stack. Then it does what the Python path does on a hit, in the same order.
    """
    cdef _Handle h
    cdef _ThreadPools pools
    cdef _PoolBinding binding
    cdef long long capacity, limit
    cdef int overflow = 0, limit_overflow = 0
    cdef Py_ssize_t idx
    cdef list stack, counts
    if type(initial_capacity) is not int or type(max_capacity) is not int:
        return None
    capacity = PyLong_AsLongLongAndOverflow(initial_capacity, &overflow)
    limit = PyLong_AsLongLongAndOverflow(max_capacity, &limit_overflow)
    if overflow or limit_overflow or not 0 <= capacity <= limit:
        return None
    pools = _thread_pools(True)
    if pools is None:
        return None
    binding = _binding_of(pools, alloc)
    if binding is None:
        binding = _bind(pools, alloc, kind)
        if binding is None:
            return None
    if not binding.inlined[kind]:
        return None
    stack = (<list>binding.stacks[kind])[_size_idx(binding, <Py_ssize_t>capacity)]
    if not stack or type(stack[len(stack) - 1]) is not tuple:
        return None  # a cache miss (the arena), or not a region as the arenas make them
    region = bufleak_pop_keep(stack)
    idx = (<tuple>region)[1]  # not the size class asked: an unpooled region is counted as huge
    counts = binding.allocs[kind]
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
        pools.countdown -= 1
        if pools.countdown <= 0:
            h._leak = _sample(buf, pools)
    return buf


cdef inline _deallocate(object self, int kind, object slow):
    """Give a pooled buffer's region back to this thread's cache, or hand over to ``slow``."""
    cdef _Handle h
    cdef _ThreadPools pools
    cdef _PoolBinding binding
    cdef list stack, counts
    cdef Py_ssize_t idx
    if not isinstance(self, _BUFFER_CLASSES[kind]):
        return slow(self)
    h = <_Handle>self
    region = h._region
    pools = _thread_pools(False)
    if pools is None or type(region) is not tuple:
        return slow(self)
    binding = _binding_of(pools, h._alloc)
    if binding is None:
        return slow(self)
    h._region = None
    idx = (<tuple>region)[1]
    counts = binding.deallocs[kind]
    counts[idx] += 1
    stack = (<list>binding.stacks[kind])[idx]
    if len(stack) < <Py_ssize_t>binding.limits[idx]:
        stack.append(region)
    else:
        binding.release_to_arena(_alive(binding.cache_ref), kind == 1, region)  # alive: _binding_of checked


def _allocation(int kind, slow):
    """``heap_buffer`` (kind 0) or ``direct_buffer`` (kind 1): a cache hit in C, else ``slow``, the Python one."""
    initial, maximum = slow.__defaults__

    def allocate(self, initial_capacity=initial, max_capacity=maximum):
        buf = _allocate(self, kind, initial_capacity, max_capacity)
        return slow(self, initial_capacity, max_capacity) if buf is None else buf

    return allocate


def _deallocation(int kind, slow):
    """A pooled heap (kind 0) or direct (kind 1) buffer's ``_deallocate``: into this thread's cache, else ``slow``."""

    def deallocate(self):
        _deallocate(self, kind, slow)

    return deallocate


def install_pool_fast_paths(allocator_class, heap_class, direct_class, deallocate):
    """Give the pooled allocator ``buffer``/``heap_buffer``/``direct_buffer``, and its buffers ``_deallocate``,
    that do a thread-cache hit in C and call the Python methods they replace for everything else."""
    global _LAST, _BUFFER_CLASSES
    from pytest_bufleak.buffer.bytebuf import _LAST
    _BUFFER_CLASSES = (heap_class, direct_class)
    slow_heap, slow_direct = allocator_class.heap_buffer, allocator_class.direct_buffer
    slow_buffer = allocator_class.buffer
    initial, maximum = slow_heap.__defaults__

    heap_buffer, direct_buffer = _allocation(0, slow_heap), _allocation(1, slow_direct)

    def buffer(self, initial_capacity=initial, max_capacity=maximum):
        # As ByteBufAllocator.buffer: the kind preferred now, through the method the allocator has now (a
        # subclass's, a test's patch on the class or the instance); only this module's own is inlined.
        cdef int kind = _preferred_kind(self, heap_buffer, direct_buffer)
        if kind < 0:
            return (self.direct_buffer if self._prefer_direct else self.heap_buffer)(initial_capacity, max_capacity)
        buf = _allocate(self, kind, initial_capacity, max_capacity)
        if buf is not None:
            return buf
        return (slow_direct if kind else slow_heap)(self, initial_capacity, max_capacity)

    for owner, made, python in ((allocator_class, heap_buffer, slow_heap),
                                (allocator_class, direct_buffer, slow_direct),
                                (allocator_class, buffer, slow_buffer),
                                (heap_class, _deallocation(0, deallocate), deallocate),
                                (direct_class, _deallocation(1, deallocate), deallocate)):
        made.__name__, made.__doc__ = python.__name__, python.__doc__
        made.__qualname__ = f"{owner.__name__}.{python.__name__}"
        setattr(owner, python.__name__, made)
