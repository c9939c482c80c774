"""bufleak's runtime: Netty-style reference-counted buffers, leak detection and a channel pipeline."""
from .buffer.allocator import ByteBufAllocator
from .buffer.bytebuf import ByteBuf
from .buffer.composite import CompositeByteBuf
from .buffer.holder import ByteBufHolder, DefaultByteBufHolder
from .buffer.pooled import PooledByteBufAllocator
from .buffer.refcount import IllegalReferenceCountException, ReferenceCounted, ReferenceCountUtil
from .buffer.unpooled import Unpooled, UnpooledByteBufAllocator
from .buffer.util import ByteBufUtil
from .leak import LeakLevel, ResourceLeakDetector, track_leaks
from .buffer import COMPILED_MODULES as _CORE, compiled_modules as _compiled_modules

#: True when the optional compiled core runs (built with a compiler, and BUFLEAK_NO_EXTENSIONS not set).
COMPILED: bool = _compiled_modules() == _CORE

__all__ = [
    "COMPILED",
    "ByteBuf",
    "ByteBufAllocator",
    "ByteBufHolder",
    "ByteBufUtil",
    "CompositeByteBuf",
    "DefaultByteBufHolder",
    "IllegalReferenceCountException",
    "LeakLevel",
    "PooledByteBufAllocator",
    "ReferenceCountUtil",
    "ReferenceCounted",
    "ResourceLeakDetector",
    "Unpooled",
    "UnpooledByteBufAllocator",
    "track_leaks",
]
