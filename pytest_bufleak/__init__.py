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

__all__ = [
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
