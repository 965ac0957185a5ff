// glibc's heap statistics, which Swift's Glibc module does not import (malloc.h).
#include <malloc.h>
#include <stddef.h>

/// Heap bytes in use: the arenas' allocated chunks plus mmapped blocks.
static inline size_t cheap_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}
