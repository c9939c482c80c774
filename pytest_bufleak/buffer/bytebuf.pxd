# The optional compiled core (see hatch_build.py): Cython compiles bytebuf.py as it is, in pure-Python mode,
# with these declarations. Only the handle becomes an extension type (its fields in C, its reference counting
# compiled); ByteBuf and its subclasses stay Python classes on top of it, so they can be subclassed, patched
# and given their typed accessors as before. bytebuf.py is the only source: keep these names in step with it.

cdef class _Handle:
    cdef public object _alloc, _mem, _cap, _max_cap, _ridx, _widx, _mark_r, _mark_w
    cdef public list _refs
    cdef public Py_ssize_t _big
    cdef public bint _freed
    cdef public object _leak, _derived, _region
    cdef object __weakref__
